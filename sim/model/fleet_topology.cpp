#include "sim/model/fleet_topology.hpp"

#include <boost/graph/breadth_first_search.hpp>

#include <algorithm>
#include <map>

namespace fleetsim {

FleetTopology::FleetTopology(const PlatformSpec& platform) {
    const VertexId root = boost::add_vertex(Vertex{Level::fleet, platform.name}, graph_);
    std::map<std::string, VertexId> site_vertex;
    for (const auto& s : platform.sites) {
        site_vertex[s.name] = boost::add_vertex(Vertex{Level::site, s.name}, graph_);
        boost::add_edge(root, site_vertex[s.name], graph_);
    }
    for (const auto& p : platform.pools) {
        const VertexId pool_v = boost::add_vertex(Vertex{Level::pool, p.name}, graph_);
        boost::add_edge(site_vertex.at(p.site), pool_v, graph_);
        pool_racks_.emplace_back();
        VertexId rack_v = pool_v;
        for (int n = 0; n < p.nodes; ++n) {
            if (n % p.nodes_per_rack == 0) {
                rack_v = boost::add_vertex(
                    Vertex{Level::rack, p.name + "-rack" + std::to_string(n / p.nodes_per_rack)},
                    graph_);
                boost::add_edge(pool_v, rack_v, graph_);
                pool_racks_.back().push_back(static_cast<int>(rack_nodes_.size()));
                rack_nodes_.emplace_back();
            }
            const VertexId node_v =
                boost::add_vertex(Vertex{Level::node, p.name + "-" + std::to_string(n)}, graph_);
            boost::add_edge(rack_v, node_v, graph_);
            node_rack_.push_back(static_cast<int>(rack_nodes_.size()) - 1);
            rack_nodes_.back().push_back(static_cast<int>(node_vertex_.size()));
            node_vertex_.push_back(node_v);
        }
    }
    // One breadth-first search gives every vertex its parent and depth: hops() then climbs
    // the tree instead of searching the graph per query.
    const auto n = boost::num_vertices(graph_);
    parent_.assign(n, root);
    depth_.assign(n, 0);
    boost::breadth_first_search(
        graph_, root,
        boost::visitor(boost::make_bfs_visitor(
            std::make_pair(boost::record_predecessors(parent_.data(), boost::on_tree_edge()),
                           boost::record_distances(depth_.data(), boost::on_tree_edge())))));
}

int FleetTopology::hops(int node_a, int node_b) const {
    VertexId a = node_vertex_[static_cast<std::size_t>(node_a)];
    VertexId b = node_vertex_[static_cast<std::size_t>(node_b)];
    int edges = 0;
    while (a != b) {
        if (depth_[a] >= depth_[b]) {
            a = parent_[a];
        } else {
            b = parent_[b];
        }
        ++edges;
    }
    return edges;
}

int FleetTopology::racks_spanned(const std::vector<int>& nodes) const {
    std::vector<int> racks;
    racks.reserve(nodes.size());
    for (int node : nodes)
        racks.push_back(rack_of(node));
    std::sort(racks.begin(), racks.end());
    return static_cast<int>(std::unique(racks.begin(), racks.end()) - racks.begin());
}

}  // namespace fleetsim
