#include "sql/random_cut_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace runnel::sql {

namespace {

// The open-source library's scoring functions (CommonUtils): a point that
// falls out of the sample at depth d scores 1/(d+1); one already held `mass`
// times at depth d scores 1/(d + log2(mass+1)), damped by how much of the
// tree it is.
double score_unseen(size_t depth) { return 1.0 / (static_cast<double>(depth) + 1.0); }
double score_seen(size_t depth, double mass) { return 1.0 / (static_cast<double>(depth) + std::log2(mass + 1.0)); }
double damp(double leaf_mass, double tree_mass) { return 1.0 - leaf_mass / (2.0 * tree_mass); }

}  // namespace

// ---- RandomCutTree ---------------------------------------------------------

RandomCutTree::RandomCutTree(size_t dims, size_t sample_size, double lambda, uint64_t seed)
    : dims_(dims), capacity_(sample_size), lambda_(lambda), rng_(seed) {
  sample_.reserve(capacity_ + 1);
}

double RandomCutTree::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

int RandomCutTree::new_node() {
  if (!free_.empty()) {
    int n = free_.back();
    free_.pop_back();
    return n;
  }
  const int n = static_cast<int>(left_.size());
  left_.push_back(-1);
  right_.push_back(-1);
  parent_.push_back(-1);
  cut_dim_.push_back(0);
  cut_.push_back(0);
  mass_.push_back(0);
  lo_.resize(lo_.size() + dims_);
  hi_.resize(hi_.size() + dims_);
  return n;
}

void RandomCutTree::refit(int n) {
  double* lo = &lo_[static_cast<size_t>(n) * dims_];
  double* hi = &hi_[static_cast<size_t>(n) * dims_];
  const double* l1 = &lo_[static_cast<size_t>(left_[n]) * dims_];
  const double* h1 = &hi_[static_cast<size_t>(left_[n]) * dims_];
  const double* l2 = &lo_[static_cast<size_t>(right_[n]) * dims_];
  const double* h2 = &hi_[static_cast<size_t>(right_[n]) * dims_];
  for (size_t j = 0; j < dims_; ++j) {
    lo[j] = std::min(l1[j], l2[j]);
    hi[j] = std::max(h1[j], h2[j]);
  }
}

// The paper's algorithm 3: walk down; at each node cut the node's box grown
// by p at random (a dimension in proportion to its range, a value uniform in
// it); a cut that separates p from the box makes p a new leaf beside the node.
void RandomCutTree::insert(std::span<const double> p) {
  ++size_;
  if (root_ < 0) {
    const int leaf = new_node();
    std::copy(p.begin(), p.end(), lo_.begin() + static_cast<ptrdiff_t>(leaf * dims_));
    std::copy(p.begin(), p.end(), hi_.begin() + static_cast<ptrdiff_t>(leaf * dims_));
    mass_[leaf] = 1;
    parent_[leaf] = -1;
    left_[leaf] = right_[leaf] = -1;
    root_ = leaf;
    return;
  }
  int node = root_;
  int above = -1;  // where the ancestors' boxes and masses start growing
  for (;;) {
    const double* lo = &lo_[static_cast<size_t>(node) * dims_];
    const double* hi = &hi_[static_cast<size_t>(node) * dims_];
    double range = 0;
    for (size_t j = 0; j < dims_; ++j) range += std::max(hi[j], p[j]) - std::min(lo[j], p[j]);
    if (range <= 0) {  // a leaf holding this very point
      ++mass_[node];
      above = parent_[node];
      break;
    }
    double r = uniform() * range;
    size_t dim = 0;
    double mn = 0, mx = 0;
    for (; dim < dims_; ++dim) {
      mn = std::min(lo[dim], p[dim]);
      mx = std::max(hi[dim], p[dim]);
      if (r < mx - mn || dim + 1 == dims_) break;
      r -= mx - mn;
    }
    double cut = mn + r;
    if (cut >= mx) cut = std::nextafter(mx, mn);
    const bool p_left = p[dim] <= cut && cut < lo[dim];
    const bool p_right = hi[dim] <= cut && cut < p[dim];
    if (p_left || p_right || left_[node] < 0) {
      if (!p_left && !p_right) {
        // A leaf whose point differs from p only in a dimension the rounding
        // lost: cut between them in the widest dimension instead.
        dim = 0;
        for (size_t j = 1; j < dims_; ++j)
          if (std::abs(p[j] - lo[j]) > std::abs(p[dim] - lo[dim])) dim = j;
        cut = std::min(p[dim], lo[dim]);
      }
      const int leaf = new_node();
      const int split = new_node();
      // (new_node may have grown the arrays: take the pointers again)
      std::copy(p.begin(), p.end(), lo_.begin() + static_cast<ptrdiff_t>(leaf * dims_));
      std::copy(p.begin(), p.end(), hi_.begin() + static_cast<ptrdiff_t>(leaf * dims_));
      left_[leaf] = right_[leaf] = -1;
      mass_[leaf] = 1;
      const int up = parent_[node];
      parent_[split] = up;
      if (up < 0)
        root_ = split;
      else if (left_[up] == node)
        left_[up] = split;
      else
        right_[up] = split;
      cut_dim_[split] = static_cast<int>(dim);
      cut_[split] = cut;
      const bool leaf_goes_left = p[dim] <= cut;
      left_[split] = leaf_goes_left ? leaf : node;
      right_[split] = leaf_goes_left ? node : leaf;
      parent_[leaf] = split;
      parent_[node] = split;
      mass_[split] = mass_[node] + 1;
      refit(split);
      above = up;
      break;
    }
    node = p[static_cast<size_t>(cut_dim_[node])] <= cut_[node] ? left_[node] : right_[node];
  }
  for (int a = above; a >= 0; a = parent_[a]) {
    ++mass_[a];
    double* lo = &lo_[static_cast<size_t>(a) * dims_];
    double* hi = &hi_[static_cast<size_t>(a) * dims_];
    for (size_t j = 0; j < dims_; ++j) {
      lo[j] = std::min(lo[j], p[j]);
      hi[j] = std::max(hi[j], p[j]);
    }
  }
}

// The paper's algorithm 2: the leaf goes, its sibling takes its parent's place.
void RandomCutTree::remove(std::span<const double> p) {
  if (root_ < 0) return;
  int node = root_;
  while (left_[node] >= 0) node = p[static_cast<size_t>(cut_dim_[node])] <= cut_[node] ? left_[node] : right_[node];
  --size_;
  int from;
  if (mass_[node] > 1) {
    --mass_[node];
    from = parent_[node];
    for (int a = from; a >= 0; a = parent_[a]) --mass_[a];
    return;
  }
  const int up = parent_[node];
  free_.push_back(node);
  if (up < 0) {
    root_ = -1;
    return;
  }
  const int sibling = left_[up] == node ? right_[up] : left_[up];
  const int grand = parent_[up];
  parent_[sibling] = grand;
  if (grand < 0)
    root_ = sibling;
  else if (left_[grand] == up)
    left_[grand] = sibling;
  else
    right_[grand] = sibling;
  free_.push_back(up);
  for (int a = grand; a >= 0; a = parent_[a]) {
    --mass_[a];
    refit(a);
  }
}

void RandomCutTree::update(std::span<const double> p, uint64_t seq) {
  // A weighted reservoir (Efraimidis and Spirakis) with weight e^(λ·seq):
  // keeping the smallest log(−log u) − λ·seq keeps each point with a chance
  // that decays with its age.
  const double u = (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53;
  const double priority = std::log(-std::log(u)) - lambda_ * static_cast<double>(seq);
  auto by_priority = [](const Sampled& a, const Sampled& b) { return a.priority < b.priority; };
  if (sample_.size() >= capacity_) {
    if (priority >= sample_.front().priority) return;
    std::pop_heap(sample_.begin(), sample_.end(), by_priority);
    remove(sample_.back().point);
    sample_.pop_back();
  }
  sample_.push_back(Sampled{priority, std::vector<double>(p.begin(), p.end())});
  std::push_heap(sample_.begin(), sample_.end(), by_priority);
  insert(p);
}

double RandomCutTree::score(std::span<const double> p, double* high, double* low) const {
  if (high != nullptr) std::fill(high, high + dims_, 0.0), std::fill(low, low + dims_, 0.0);
  if (root_ < 0) return 0;
  // Down to the leaf p would reach.
  thread_local std::vector<int> path;
  path.clear();
  int node = root_;
  path.push_back(node);
  while (left_[node] >= 0) {
    node = p[static_cast<size_t>(cut_dim_[node])] <= cut_[node] ? left_[node] : right_[node];
    path.push_back(node);
  }
  const double tree_mass = mass_[root_];
  const double* leaf = &lo_[static_cast<size_t>(node) * dims_];
  const size_t depth = path.size() - 1;
  double diff = 0;
  for (size_t j = 0; j < dims_; ++j) diff += std::abs(p[j] - leaf[j]);
  double s;
  if (diff == 0) {
    // p is in the sample: every box above holds it, nothing changes on the way up.
    s = damp(mass_[node], tree_mass) * score_seen(depth, mass_[node]);
    if (high != nullptr)
      for (size_t j = 0; j < dims_; ++j) high[j] = low[j] = s / (2.0 * static_cast<double>(dims_));
  } else {
    s = score_unseen(depth);
    if (high != nullptr)
      for (size_t j = 0; j < dims_; ++j) {
        high[j] = std::max(0.0, p[j] - leaf[j]) / diff * s;
        low[j] = std::max(0.0, leaf[j] - p[j]) / diff * s;
      }
    // Up the path: at each node, with the chance that a random cut of its box
    // grown by p separates p, p would have been isolated at that depth.
    for (size_t i = depth; i-- > 0;) {
      const int n = path[i];
      const double* lo = &lo_[static_cast<size_t>(n) * dims_];
      const double* hi = &hi_[static_cast<size_t>(n) * dims_];
      double out = 0, range = 0;
      for (size_t j = 0; j < dims_; ++j) {
        out += std::max(0.0, p[j] - hi[j]) + std::max(0.0, lo[j] - p[j]);
        range += std::max(hi[j], p[j]) - std::min(lo[j], p[j]);
      }
      if (out == 0 || range == 0) break;  // p inside this box, so inside every box above
      const double prob = out / range;
      const double here = score_unseen(i);
      s = prob * here + (1 - prob) * s;
      if (high != nullptr)
        for (size_t j = 0; j < dims_; ++j) {
          high[j] = std::max(0.0, p[j] - hi[j]) / range * here + (1 - prob) * high[j];
          low[j] = std::max(0.0, lo[j] - p[j]) / range * here + (1 - prob) * low[j];
        }
    }
  }
  const double norm = std::log2(tree_mass + 1.0);
  if (high != nullptr)
    for (size_t j = 0; j < dims_; ++j) high[j] *= norm, low[j] *= norm;
  return s * norm;
}

bool RandomCutTree::consistent() const {
  if (root_ < 0) return size_ == 0 && sample_.empty();
  if (parent_[root_] != -1 || mass_[root_] != size_ || size_ != sample_.size()) return false;
  // Every sampled point reaches a leaf holding it.
  for (const Sampled& s : sample_) {
    int n = root_;
    while (left_[n] >= 0) n = s.point[static_cast<size_t>(cut_dim_[n])] <= cut_[n] ? left_[n] : right_[n];
    if (!std::equal(s.point.begin(), s.point.end(), lo_.begin() + static_cast<ptrdiff_t>(n * dims_))) return false;
  }
  std::vector<int> stack = {root_};
  size_t leaves_mass = 0;
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    const double* lo = &lo_[static_cast<size_t>(n) * dims_];
    const double* hi = &hi_[static_cast<size_t>(n) * dims_];
    if (left_[n] < 0) {
      if (!std::equal(lo, lo + dims_, hi) || mass_[n] == 0) return false;
      leaves_mass += mass_[n];
      continue;
    }
    const int l = left_[n], r = right_[n];
    if (parent_[l] != n || parent_[r] != n || mass_[n] != mass_[l] + mass_[r]) return false;
    const size_t d = static_cast<size_t>(cut_dim_[n]);
    // The cut separates the children's boxes.
    if (hi_[static_cast<size_t>(l) * dims_ + d] > cut_[n] || lo_[static_cast<size_t>(r) * dims_ + d] <= cut_[n])
      return false;
    for (size_t j = 0; j < dims_; ++j) {
      const double want_lo = std::min(lo_[static_cast<size_t>(l) * dims_ + j], lo_[static_cast<size_t>(r) * dims_ + j]);
      const double want_hi = std::max(hi_[static_cast<size_t>(l) * dims_ + j], hi_[static_cast<size_t>(r) * dims_ + j]);
      if (lo[j] != want_lo || hi[j] != want_hi) return false;
    }
    stack.push_back(l);
    stack.push_back(r);
  }
  return leaves_mass == size_;
}

// ---- RandomCutForest -------------------------------------------------------

RandomCutForest::RandomCutForest(const Options& o)
    : o_(o), dims_(o.input_dims * o.shingle_size), shingle_(dims_, 0.0), high_(dims_), low_(dims_) {
  if (o_.output_after == 0) o_.output_after = 1 + o_.sub_sample_size / 4;
  trees_.reserve(o_.number_of_trees);
  for (size_t i = 0; i < o_.number_of_trees; ++i)
    trees_.emplace_back(dims_, o_.sub_sample_size, 1.0 / o_.time_decay,
                        o_.seed + 0x9e37'79b9'7f4a'7c15ULL * static_cast<uint64_t>(i + 1));
  tree_high_.resize(dims_);
  tree_low_.resize(dims_);
}

double RandomCutForest::score_and_update(std::span<const double> record, std::vector<double>* attribution) {
  const size_t in = o_.input_dims;
  if (attribution != nullptr) attribution->assign(in * 2, 0.0);
  // Shift the shingle one record left and append this one.
  std::copy(shingle_.begin() + static_cast<ptrdiff_t>(in), shingle_.end(), shingle_.begin());
  std::copy(record.begin(), record.begin() + static_cast<ptrdiff_t>(in), shingle_.end() - static_cast<ptrdiff_t>(in));
  if (++records_ < o_.shingle_size) return 0;
  double score = 0;
  if (seq_ >= o_.output_after) {
    std::fill(high_.begin(), high_.end(), 0.0);
    std::fill(low_.begin(), low_.end(), 0.0);
    for (const RandomCutTree& t : trees_) {
      if (attribution == nullptr) {
        score += t.score(shingle_, nullptr, nullptr);
        continue;
      }
      score += t.score(shingle_, tree_high_.data(), tree_low_.data());
      for (size_t j = 0; j < dims_; ++j) high_[j] += tree_high_[j], low_[j] += tree_low_[j];
    }
    const double n = static_cast<double>(trees_.size());
    score /= n;
    if (attribution != nullptr)
      for (size_t j = 0; j < dims_; ++j) {
        (*attribution)[2 * (j % in)] += high_[j] / n;
        (*attribution)[2 * (j % in) + 1] += low_[j] / n;
      }
  }
  for (RandomCutTree& t : trees_) t.update(shingle_, seq_);
  ++seq_;
  return score;
}

}  // namespace runnel::sql
