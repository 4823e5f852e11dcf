#pragma once
// Random Cut Forest (Guha, Mishra, Roy, Schrijvers: "Robust random cut forest
// based anomaly detection on streams", ICML 2016), the model behind KDA's
// RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION.
//
// Each tree holds a time-decayed reservoir sample of the stream's points
// (shingled: the last `shingle_size` records side by side) and is kept a
// random cut tree under insertion and deletion, as the paper's algorithms 2
// and 3 do. A point is scored against every tree before it updates the
// trees; its score is the average over the trees of the depth-weighted
// score the open-source aws/random-cut-forest-by-aws library computes (see
// RandomCutForest::score_and_update), so an inlier scores about 1 or less
// and an outlier several times more.
//
// Threads: none of its own; one thread at a time.

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace runnel::sql {

// One tree over a reservoir sample; its nodes live in flat arrays.
class RandomCutTree {
 public:
  RandomCutTree(size_t dims, size_t sample_size, double lambda, uint64_t seed);

  // The depth-weighted score of `p` against this tree (not normalized), and
  // when `high`/`low` are given (size dims) the per-dimension shares of it:
  // high[j] for p lying above the sample in dimension j, low[j] below; their
  // sum is the score.
  double score(std::span<const double> p, double* high, double* low) const;
  // Offers `p` (the stream's `seq`-th point) to the sampler; if kept, it goes
  // into the tree and the point it displaces (if any) leaves it.
  void update(std::span<const double> p, uint64_t seq);
  size_t mass() const { return size_ == 0 ? 0 : mass_[root_]; }
  // For tests: every node's mass is its children's sum, every box is exactly
  // its children's bounding box, every leaf is reached by the cuts from the
  // root, and the tree holds exactly the sampled points.
  bool consistent() const;

 private:
  struct Sampled {
    double priority;  // the sample keeps the smallest
    std::vector<double> point;
  };
  int new_node();
  void insert(std::span<const double> p);
  void remove(std::span<const double> p);
  void refit(int node);  // an internal node's box from its children's
  double uniform();      // [0, 1)

  size_t dims_;
  size_t capacity_;
  double lambda_;
  std::mt19937_64 rng_;
  // Node i: its box lo/hi at [i*dims_, (i+1)*dims_); a leaf's box is its point.
  std::vector<double> lo_, hi_;
  std::vector<int> left_, right_, parent_;  // left_ == -1: a leaf
  std::vector<int> cut_dim_;
  std::vector<double> cut_;  // x[cut_dim] <= cut goes left
  std::vector<uint32_t> mass_;
  std::vector<int> free_;
  int root_ = -1;
  size_t size_ = 0;              // points held (with repeats)
  std::vector<Sampled> sample_;  // a max-heap on priority
};

class RandomCutForest {
 public:
  struct Options {
    size_t number_of_trees = 100;
    size_t sub_sample_size = 256;
    double time_decay = 100'000;  // λ = 1 / time_decay
    size_t shingle_size = 1;
    size_t input_dims = 1;  // numbers per record; a point has input_dims × shingle_size
    uint64_t seed = 0x5eed'1234'abcdULL;
    // Records scored 0 while the forest learns; 0 means 1 + sub_sample_size / 4
    // (the open-source library's default).
    size_t output_after = 0;
  };
  explicit RandomCutForest(const Options& o);

  // Scores one record (input_dims numbers) and then learns it. The result is
  // 0 until the forest has seen `output_after` shingled points (and for the
  // first shingle_size − 1 records, which make no point yet). With
  // `attribution`, it gets input_dims × 2 numbers: per input column, the
  // share of the score from the point lying above the sample ([2j]) and
  // below it ([2j+1]), summed over the shingle; they add up to the score.
  double score_and_update(std::span<const double> record, std::vector<double>* attribution = nullptr);

  size_t dims() const { return dims_; }
  const std::vector<RandomCutTree>& trees() const { return trees_; }
  uint64_t points_seen() const { return seq_; }

 private:
  Options o_;
  size_t dims_;
  std::vector<RandomCutTree> trees_;
  std::vector<double> shingle_;  // the last shingle_size records, oldest first
  uint64_t records_ = 0;
  uint64_t seq_ = 0;  // points made so far
  std::vector<double> high_, low_, tree_high_, tree_low_;
};

}  // namespace runnel::sql
