// Iterated local search over the space's strata (for the mapspace, its
// dataflows: the keep/bypass choices).
//
// An episode descends from a point through its whole neighbourhood (the
// space's neighbours(), shuffled, within the point's stratum), moving to the
// best improvement of each batch of kStep neighbours, until none improves: a
// local optimum. It starts from the best valid of a batch of the space's
// fresh() points of the stratum, or from a kick of the stratum's best local
// optimum (the first valid of a batch of its perturb()ations; the best would
// fall back into the optimum it left, and the rest of the batch is a costed
// sample around the lane's best, which the driver keeps when better); an
// episode that finds no valid start in kMaxFailed points ends there.
//
// A bracket makes every stratum a lane, holding the stratum's best local
// optimum of every bracket so far. Each round runs one episode per live lane
// (in the first round from fresh points, except a lane seeded by a starting
// point in the first bracket, which kicks it; later from kicks), then the worse
// half of the lanes (by their best local optimum; lanes with no valid point
// first) stops, unless no lane has a valid point yet. So a stratum is ranked
// by the best of all its episodes, not by this bracket's one: a dataflow
// whose fresh episodes mostly end in poor optima is kept once one of them
// found a good one. The last lane then goes on alone, and half of its kicks
// cross into a neighbouring stratum (one keep choice flipped; the lane
// follows a better optimum there), which mends a choice the rounds made on
// too few episodes. After kStale of its episodes bring nothing better (a
// local optimum no better than its best, or no valid start) a new bracket
// begins (so does one when the last lane finds no valid point at all):
// kicking the same optimum longer mostly finds it again. With one stratum
// (the cascade space) a bracket is one episode from fresh points, then kicks
// of the best local optimum so far, until kStale episodes in a row (the
// fresh one counted) bring nothing better. Strict
// improvement only, so no plateau is walked twice; everything is drawn from
// the seed and the costs come back in asking order, so the result does not
// depend on threads.
#include <algorithm>

#include "mappers/search/search.h"

namespace einflow::search {

template <class Point>
class Descent final : public SearchOf<Point> {
 public:
  Descent(const SpaceOf<Point>& space, const MapperConfig&, uint64_t seed)
      : m_space(space), m_rng(seed), m_bits(stratum_bits(space.strata())) {
    new_bracket();
  }

  void ask(int n, std::vector<Point>& out) override {
    if (m_state == State::kDescend) {
      const size_t end = std::min(m_hood.size(), m_next + static_cast<size_t>(std::min(n, kStep)));
      out.insert(out.end(), m_hood.begin() + static_cast<long>(m_next), m_hood.begin() + static_cast<long>(end));
      m_next = end;
      return;
    }
    const Lane& lane = m_lanes[m_lane];
    for (int i = 0; i < n; ++i) {
      out.emplace_back();
      if (m_state == State::kRandom) {
        m_space.fresh(m_rng, out.back());
      } else {
        out.back() = lane.base;
        m_space.perturb(m_rng, out.back());
      }
      uint64_t stratum = lane.stratum;
      // The last lane's kicks may cross into a neighbouring stratum (one keep choice flipped).
      if (m_state == State::kKick && m_lanes.size() == 1 && m_bits > 0 && m_rng.below(2))
        stratum ^= uint64_t{1} << m_rng.below(static_cast<uint64_t>(m_bits));
      m_space.set_stratum(stratum, out.back());
    }
  }

  // Starting points seed the lanes of their strata: the lane kicks them.
  void start(const std::vector<Point>& points, const std::vector<double>& cost) override {
    for (size_t i = 0; i < points.size(); ++i) {
      if (cost[i] == kInvalid) continue;
      const uint64_t s = m_space.stratum_of(points[i]);
      remember(s, points[i], cost[i]);
      Lane& lane = m_lanes[s];
      if (cost[i] < lane.base_cost) {
        lane.base = points[i];
        lane.base_cost = cost[i];
        lane.fresh = false;
      }
    }
    if (m_lanes[m_lane].has_base() && !m_lanes[m_lane].fresh) m_state = State::kKick;
  }

  void tell(const std::vector<Point>& asked, const std::vector<double>& cost) override {
    if (m_state == State::kDescend) {
      const long i = best_of(cost);
      if (i >= 0 && cost[static_cast<size_t>(i)] < m_cost) {
        descend_from(asked[static_cast<size_t>(i)], cost[static_cast<size_t>(i)]);
      } else if (m_next == m_hood.size()) {
        local_optimum();
      }
      return;
    }
    const long i = m_state == State::kKick ? first_of(cost) : best_of(cost);
    if (i >= 0) {
      descend_from(asked[static_cast<size_t>(i)], cost[static_cast<size_t>(i)]);
      return;
    }
    m_failed += static_cast<long>(asked.size());
    if (m_failed < kMaxFailed) return;
    // This episode found no valid point to start from: it ends, and the round
    // goes on. For the last lane it counts as a stale episode; with no point
    // at all, it starts a new bracket.
    m_failed = 0;
    Lane& lane = m_lanes[m_lane];
    lane.fresh = false;
    if (m_lanes.size() == 1 && (!lane.has_base() || ++lane.stale >= kStale)) {
      new_bracket();
      return;
    }
    next_lane();
  }

 private:
  enum class State { kRandom, kKick, kDescend };
  static constexpr int kStale = 3;         // the last lane's episodes without a better optimum before a new bracket
  static constexpr int kStep = 64;         // neighbours per ask: the descent moves after each such batch
  static constexpr long kMaxFailed = 1024; // points without a valid one before an episode gives up its start

  struct Lane {
    uint64_t stratum = 0;
    Point base{};  // the best local optimum found in this stratum
    double base_cost = kInvalid;  // kInvalid: none yet
    int stale = 0;
    bool fresh = true;  // its next episode starts from fresh points (a bracket's first round)
    bool has_base() const { return base_cost != kInvalid; }
  };

  // Bits a stratum has (strata() is a power of two; a space whose count is
  // not has none a kick may flip).
  static int stratum_bits(uint64_t n) {
    if (n < 2 || (n & (n - 1))) return 0;
    int bits = 0;
    while ((uint64_t{1} << bits) < n) ++bits;
    return bits;
  }
  static long first_of(const std::vector<double>& cost) {
    for (size_t i = 0; i < cost.size(); ++i)
      if (cost[i] != kInvalid) return static_cast<long>(i);
    return -1;
  }
  static long best_of(const std::vector<double>& cost) {
    long best = -1;
    for (size_t i = 0; i < cost.size(); ++i)
      if (cost[i] != kInvalid && (best < 0 || cost[i] < cost[static_cast<size_t>(best)])) best = static_cast<long>(i);
    return best;
  }

  void descend_from(const Point& p, double cost) {
    m_failed = 0;
    m_current = p;
    m_cost = cost;
    m_hood.clear();
    m_next = 0;
    m_state = State::kDescend;
    m_space.neighbours(m_rng, m_current, m_hood);
    if (m_hood.empty()) local_optimum();
  }

  void local_optimum() {
    Lane& lane = m_lanes[m_lane];
    lane.fresh = false;
    remember(m_space.stratum_of(m_current), m_current, m_cost);
    if (m_cost < lane.base_cost) {
      lane.stratum = m_space.stratum_of(m_current);
      lane.base = m_current;
      lane.base_cost = m_cost;
      lane.stale = 0;
    } else if (m_lanes.size() == 1 && ++lane.stale >= kStale) {
      new_bracket();
      return;
    }
    next_lane();
  }

  // A stratum's best local optimum of every bracket.
  void remember(uint64_t stratum, const Point& p, double cost) {
    Lane& best = m_memory[stratum];
    if (cost < best.base_cost) {
      best.base = p;
      best.base_cost = cost;
    }
  }

  // Every stratum a lane again, holding its best local optimum so far; the
  // first round's episodes start from fresh points.
  void new_bracket() {
    const uint64_t n = std::max<uint64_t>(1, m_space.strata());
    if (m_memory.size() != n) {
      m_memory.clear();
      for (uint64_t s = 0; s < n; ++s) m_memory.push_back(Lane{s});
    }
    m_lanes = m_memory;
    m_lane = 0;
    m_state = State::kRandom;
  }

  // The next lane's episode; after the last lane, the worse half of the lanes stops.
  void next_lane() {
    if (++m_lane >= m_lanes.size()) {
      m_lane = 0;
      const bool any = std::any_of(m_lanes.begin(), m_lanes.end(), [](const Lane& l) { return l.has_base(); });
      if (m_lanes.size() > 1 && any) {  // a round with no valid point at all tells nothing: another round
        std::stable_sort(m_lanes.begin(), m_lanes.end(),
                         [](const Lane& a, const Lane& b) { return a.base_cost < b.base_cost; });
        m_lanes.resize((m_lanes.size() + 1) / 2);
      }
    }
    const Lane& lane = m_lanes[m_lane];
    m_state = lane.has_base() && !lane.fresh ? State::kKick : State::kRandom;
  }

  const SpaceOf<Point>& m_space;
  Rng m_rng;
  int m_bits;                 // bits of a stratum a kick may flip
  std::vector<Lane> m_memory;  // per stratum, its best local optimum of every bracket
  std::vector<Lane> m_lanes;   // the live lanes
  size_t m_lane = 0;           // the lane whose episode runs
  long m_failed = 0;          // points asked for this episode's start without a valid one
  State m_state = State::kRandom;
  Point m_current{};
  double m_cost = kInvalid;
  std::vector<Point> m_hood;  // the current point's neighbours, shuffled
  size_t m_next = 0;          // the first not yet asked
};

EINFLOW_REGISTER_SEARCH("descent", Descent)

}  // namespace einflow::search
