#pragma once
// The fleet's physical layout as a graph (Boost.Graph): fleet - sites - pools - racks - nodes.
// Placement reads it (a multi-node gang goes to as few racks as possible: fewer hops, less
// cross-rack traffic), outputs report how many racks a job spans, and the rack is the unit
// that fails together (one power feed, one top-of-rack switch).

#include "sim/config/spec.hpp"

#include <boost/graph/adjacency_list.hpp>

#include <string>
#include <vector>

namespace fleetsim {

class FleetTopology {
public:
    enum class Level { fleet, site, pool, rack, node };

    /** Nodes are numbered as in Fleet: pool by pool, in file order. */
    explicit FleetTopology(const PlatformSpec& platform);

    int node_count() const { return static_cast<int>(node_rack_.size()); }
    int rack_count() const { return static_cast<int>(rack_nodes_.size()); }
    int rack_of(int node) const { return node_rack_[static_cast<std::size_t>(node)]; }
    const std::vector<int>& nodes_of_rack(int rack) const {
        return rack_nodes_[static_cast<std::size_t>(rack)];
    }
    /** Racks of one pool, in order. */
    const std::vector<int>& racks_of_pool(int pool) const {
        return pool_racks_[static_cast<std::size_t>(pool)];
    }
    /** Edges between two nodes in the topology tree (0 same node, 2 same rack, 4 same pool...). */
    int hops(int node_a, int node_b) const;
    /** Distinct racks among `nodes`. */
    int racks_spanned(const std::vector<int>& nodes) const;

private:
    struct Vertex {
        Level level = Level::fleet;
        std::string name;
    };
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, Vertex>;
    using VertexId = Graph::vertex_descriptor;

    Graph graph_;
    std::vector<VertexId> node_vertex_;
    std::vector<VertexId> parent_;  ///< BFS tree from the fleet vertex
    std::vector<int> depth_;
    std::vector<int> node_rack_;
    std::vector<std::vector<int>> rack_nodes_;
    std::vector<std::vector<int>> pool_racks_;
};

}  // namespace fleetsim
