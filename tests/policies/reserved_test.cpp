// reserved: a block of whole nodes for one class, the rest scheduled by value. Worked on paper:
//
// The fleet is one pool of 5 nodes x 2 GPUs = 10 GPUs (nodes 0-4). The video block has share
// 0.2: round(0.2 x 5 nodes) = 1 node, the pool's last, node 4 (GPUs 8 and 9). The other
// classes share nodes 0-3 (8 GPUs) under opportunity-cost.
// Classes (1 unit = 1 reference GPU-second, max_utilization 1, so a demand of n units/s wants
// n GPUs): chat $5/GPU-h wanting 10 GPUs, video $1/GPU-h wanting 4 (in the block, under fifo,
// which sizes services from free GPUs), training $2/GPU-h per job.
//   t=0      video: min(4, 2 in its block) = 2 GPUs, on node 4. chat: min(10, 8) = 8, on
//            nodes 0-3. Free: 0. (Plain opportunity-cost on the same fleet gives chat all 10
//            GPUs and video none: $1 < $5.)
//   t=0      a 2-GPU training job arrives: its $2 is below chat's $5 on every GPU of the
//            others' 8: it waits.
//   t=600    video wants 1 GPU: it gives one back; node 4 has 1 GPU free, which neither chat
//            (still wanting 10) nor the waiting job may use: 1 GPU idles while $7 of demand
//            per hour waits. That idle GPU is the price of the reservation.
//   t=1200   chat wants 5: it keeps 5 of the others' 8; the job starts on 2 of the other 3,
//            all on nodes 0-3. Free: 1 in the others' nodes, 1 in the block.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

ParamValue list_of(std::initializer_list<ParamValue> elements) {
    ParamValue v;
    v.value = ParamValue::List(elements);
    v.path = "policy.params.blocks";
    return v;
}

/** The 10-GPU fleet above: chat and training in the others, video (and video training). */
ScenarioSpec fleet_of_ten() {
    ScenarioSpec s = small_scenario();
    add_pool(s, "p", 5, 2);
    add_service(s, "chat", 5, 10);
    add_service(s, "video", 1, 4, Family::video);
    add_batch(s, "training", 2);
    add_batch(s, "video-training", 2, false, 0, 0, Family::video);
    return s;
}

ParamValue video_block(const std::string& share, const std::string& policy = "fifo") {
    return param({{"blocks", list_of({param({{"classes", list_of({param("video"),
                                                                  param("video-training")})},
                                             {"share", param(share)},
                                             {"policy", param(policy)}})})},
                  {"others", param({{"policy", param("opportunity-cost")}})}});
}

/** The nodes a class holds GPUs on, services and jobs. */
std::vector<int> nodes_of(const SchedulerState& st, ClassId id) {
    std::vector<int> nodes;
    const ClassState& c = st.cls(id);
    for (const auto& a : c.service_alloc) {
        for (const auto& [node, n] : a.parts)
            nodes.push_back(node);
    }
    for (JobId j : c.running) {
        for (const auto& [node, n] : st.job(j).alloc.parts)
            nodes.push_back(node);
    }
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    return nodes;
}

}  // namespace

TEST_SUITE("policy.reserved") {
    TEST_CASE("a reserved block keeps its nodes for its classes while the rest go by value") {
        Harness h(fleet_of_ten(), "reserved", video_block("0.2"));
        auto& st = h.state();
        const ClassId chat = h.cls("chat"), video = h.cls("video");
        h.decide();
        CHECK(st.cls(video).gpus_held == 2);
        CHECK(nodes_of(st, video) == std::vector<int>{4});
        CHECK(st.cls(chat).gpus_held == 8);
        CHECK(nodes_of(st, chat) == std::vector<int>{0, 1, 2, 3});
        CHECK(st.fleet.free_gpus() == 0);

        const JobId job = h.submit("training", 2, 1.0);
        h.decide();
        CHECK(st.job(job).status == JobStatus::waiting);

        st.now_s = 600;
        st.cls(video).demand_units_per_s = 1;
        h.decide();
        CHECK(st.cls(video).gpus_held == 1);
        CHECK(st.fleet.node_free(4) == 1);
        CHECK(st.cls(chat).gpus_held == 8);  // wants 10, may not take the block's idle GPU
        CHECK(st.job(job).status == JobStatus::waiting);

        st.now_s = 1200;
        st.cls(chat).demand_units_per_s = 5;
        h.decide();
        CHECK(st.cls(chat).gpus_held == 5);
        REQUIRE(st.job(job).status == JobStatus::running);
        for (const auto& [node, n] : st.job(job).alloc.parts)
            CHECK(node < 4);
        CHECK(st.fleet.free_gpus() == 2);
        CHECK(st.fleet.node_free(4) == 1);
    }

    TEST_CASE("without the block the same demand gives video nothing") {
        // The contrast of the case above: chat's $5 beats video's $1 on every GPU.
        Harness h(fleet_of_ten(), "opportunity-cost");
        h.decide();
        CHECK(h.state().cls(h.cls("chat")).gpus_held == 10);
        CHECK(h.state().cls(h.cls("video")).gpus_held == 0);
    }

    TEST_CASE("a job completes in the fleet and its block sees its GPUs free") {
        // Training alone in the others (chat switched off): a 1 GPU-h job on 2 GPUs ends at
        // t = 1800 s, and the next one starts on the GPUs it left.
        ScenarioSpec s = fleet_of_ten();
        s.workload.classes[0].service.demand_units_per_s = 0;
        Harness h(s, "reserved", video_block("0.2"));
        std::vector<JobId> jobs;
        for (int i = 0; i < 5; ++i)
            jobs.push_back(h.submit("training", 2, 1.0));
        h.decide();
        // 8 GPUs in the others: 4 jobs of 2 run, the fifth waits (not on the block's node).
        CHECK(h.state().job(jobs[4]).status == JobStatus::waiting);
        CHECK(h.state().job(jobs[0]).start_s == 0);
        h.run_until(1800);
        CHECK(h.state().job(jobs[0]).status == JobStatus::completed);
        CHECK(h.state().job(jobs[0]).end_s == doctest::Approx(1800));
        REQUIRE(h.state().job(jobs[4]).status == JobStatus::running);
        CHECK(h.state().job(jobs[4]).start_s == doctest::Approx(1800));
        h.run_to_end();
        CHECK(h.state().job(jobs[4]).end_s == doctest::Approx(3600));
    }

    TEST_CASE("a gang larger than its block is refused, though the fleet could run it") {
        Harness h(fleet_of_ten(), "reserved", video_block("0.2"));
        const JobId big = h.submit("video-training", 4, 1.0);  // block: 2 GPUs; fleet: 10
        const auto actions = h.decide();
        CHECK(h.state().job(big).status == JobStatus::rejected);
        CHECK(h.state().job(big).reject_reason.find("block video+1") != std::string::npos);
        CHECK(std::count(actions.begin(), actions.end(),
                         std::make_pair(Decisions::Action::reject, big)) == 1);
    }

    TEST_CASE("the policy inside a block reads its parameters against the block") {
        // static-partition's shares are fractions of the block (4 GPUs at share 0.4): video
        // gets 0.5 x 4 = 2 GPUs although it wants 4 and the block has 4.
        ParamValue params = param(
            {{"blocks",
              list_of({param({{"classes", list_of({param("video"), param("video-training")})},
                              {"share", param("0.4")},
                              {"policy", param("static-partition")},
                              {"params", param({{"shares",
                                                 param({{"video", param("0.5")},
                                                        {"video-training", param("0.5")}})}})}})})}});
        Harness h(fleet_of_ten(), "reserved", params);
        h.decide();
        CHECK(h.state().cls(h.cls("video")).gpus_held == 2);
        CHECK(h.state().cls(h.cls("chat")).gpus_held == 6);  // others: nodes 0-2 under the default
    }

    TEST_CASE("blocks that are not a partition are input errors") {
        auto error_of = [](const ParamValue& params) {
            try {
                Harness h(fleet_of_ten(), "reserved", params);
            } catch (const InputError& e) {
                return std::string(e.what());
            }
            return std::string("no error");
        };
        auto block = [](std::initializer_list<ParamValue> classes, const std::string& share) {
            return param({{"classes", list_of(classes)}, {"share", param(share)}});
        };
        CHECK(error_of(param({{"blocks", list_of({block({param("video")}, "0.6"),
                                                  block({param("chat")}, "0.6")})}}))
                  .find("only 2 are left") != std::string::npos);
        CHECK(error_of(param({{"blocks", list_of({block({param("video")}, "0.2"),
                                                  block({param("video")}, "0.2")})}}))
                  .find("already in block video") != std::string::npos);
        CHECK(error_of(param({{"blocks", list_of({block({param("vidoe")}, "0.2")})}}))
                  .find("did you mean 'video'") != std::string::npos);
        CHECK(error_of(param({{"blocks", list_of({block({param("video")}, "1.5")})}}))
                  .find("expected a fraction in (0, 1]") != std::string::npos);
        CHECK(error_of(param({{"blocks", list_of({block({param("video")}, "0.05")})}}))
                  .find("no whole node") != std::string::npos);
        // Every node to video: chat and training are left without a node.
        CHECK(error_of(param({{"blocks", list_of({block({param("video")}, "1")})}}))
                  .find("leave no node") != std::string::npos);
        CHECK(error_of(param({{"blocks", list_of({param({{"classes", list_of({param("video")})},
                                                         {"share", param("0.2")},
                                                         {"policy", param("reserved")}})})}}))
                  .find("cannot itself be reserved") != std::string::npos);
        CHECK(error_of(param({{"blocks", list_of({param({{"classes", list_of({param("video")})},
                                                         {"share", param("0.2")},
                                                         {"polcy", param("fifo")}})})}}))
                  .find("did you mean 'policy'") != std::string::npos);
    }
}
