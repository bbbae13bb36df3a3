//! Optimal assignment (maximum-weight bipartite matching), the step every metric rests on.
//!
//! The solver is `pathfinding`'s Kuhn–Munkres, which wants at most as many rows as
//! columns and integer weights. Two things make it fast on tracking data: pairs that
//! cannot match (score `<= 0`) are dropped, and the remaining pairs are split into
//! connected components that are solved separately. On a pitch most players are
//! nowhere near each other, so a frame of 25 truths × 25 tracks becomes mostly 1 × 1
//! problems that need no solver at all.

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;

/// Optimal assignment maximising the total score of a `rows × cols` matrix (row-major,
/// any shape), returned as `(row, col)` pairs sorted by row.
///
/// Each row and each column is used at most once. Pairs with a score `<= 0` (or NaN)
/// are never returned: leaving a row unassigned is always allowed, so a non-positive
/// score never forces a match. Entries missing from a `score` shorter than
/// `rows * cols` count as `0`.
///
/// ```
/// use touchline_track::metrics::assign;
///
/// // Greedy would take the 0.9 and leave row 1 with nothing; the optimum is 0.8 + 0.7.
/// let score = [0.9, 0.8,
///              0.7, 0.0];
/// assert_eq!(assign(2, 2, &score), vec![(0, 1), (1, 0)]);
/// ```
pub fn assign(rows: usize, cols: usize, score: &[f64]) -> Vec<(usize, usize)> {
    if cols == 0 {
        return Vec::new();
    }
    let edges: Vec<(usize, usize, f64)> = score
        .iter()
        .take(rows.saturating_mul(cols))
        .enumerate()
        .filter(|(_, s)| **s > 0.0)
        .map(|(k, s)| (k / cols, k % cols, *s))
        .collect();
    assign_sparse(rows, cols, &edges)
}

/// [`assign`] over a sparse matrix given as `(row, col, score)` edges; absent pairs have
/// score `0`. Edges out of range or with score `<= 0` are ignored; for a repeated pair
/// the largest score counts.
pub(crate) fn assign_sparse(
    rows: usize,
    cols: usize,
    edges: &[(usize, usize, f64)],
) -> Vec<(usize, usize)> {
    let edges: Vec<(usize, usize, f64)> = edges
        .iter()
        .copied()
        .filter(|&(r, c, s)| r < rows && c < cols && s > 0.0 && s.is_finite())
        .collect();
    if edges.is_empty() {
        return Vec::new();
    }

    // Connected components over the nodes rows (0..rows) and columns (rows..rows+cols):
    // an optimal matching of the whole is the union of optimal matchings of components.
    let mut components = UnionFind::new(rows + cols);
    for &(r, c, _) in &edges {
        components.union(r, rows + c);
    }
    let mut component_of_root = vec![usize::MAX; rows + cols];
    let mut groups: Vec<Vec<(usize, usize, f64)>> = Vec::new();
    for &edge in &edges {
        let root = components.find(edge.0);
        if component_of_root[root] == usize::MAX {
            component_of_root[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[component_of_root[root]].push(edge);
    }

    let mut pairs = Vec::new();
    for group in &groups {
        solve_component(group, &mut pairs);
    }
    pairs.sort_unstable();
    pairs
}

/// Solves one connected component (all scores positive and finite), appending its
/// matched pairs.
fn solve_component(edges: &[(usize, usize, f64)], pairs: &mut Vec<(usize, usize)>) {
    if let [(r, c, _)] = edges {
        pairs.push((*r, *c));
        return;
    }
    // Local, dense indices for this component's rows and columns.
    let mut rows: Vec<usize> = edges.iter().map(|e| e.0).collect();
    let mut cols: Vec<usize> = edges.iter().map(|e| e.1).collect();
    rows.sort_unstable();
    rows.dedup();
    cols.sort_unstable();
    cols.dedup();
    let local = |ids: &[usize], id: usize| ids.binary_search(&id).unwrap_or(0);

    // Kuhn–Munkres needs rows <= cols: put the smaller side on the rows.
    let transposed = rows.len() > cols.len();
    let (n_small, n_large) = if transposed {
        (cols.len(), rows.len())
    } else {
        (rows.len(), cols.len())
    };
    let max_score = edges.iter().map(|e| e.2).fold(0.0, f64::max);
    let scale = integer_scale(max_score, n_large);
    let mut weights = Matrix::new(n_small, n_large, 0_i64);
    for &(r, c, s) in edges {
        let (r, c) = (local(&rows, r), local(&cols, c));
        let at = if transposed { (c, r) } else { (r, c) };
        // Rounding is safe: `scale` keeps every entry and every sum far from overflow,
        // and a power of two keeps integer-valued scores (frame counts) exact.
        let w = (s * scale).round() as i64;
        if let Some(cell) = weights.get_mut(at) {
            *cell = (*cell).max(w);
        }
    }
    let (_, assignment) = kuhn_munkres(&weights);
    for (small, &large) in assignment.iter().enumerate() {
        // Every row gets a column, including through zero entries, which are "no match".
        if weights.get((small, large)).copied().unwrap_or(0) <= 0 {
            continue;
        }
        let (r, c) = if transposed {
            (large, small)
        } else {
            (small, large)
        };
        pairs.push((rows[r], cols[c]));
    }
}

/// A power of two that maps scores in `[0, max_score]` onto integers as fine as
/// possible while the Kuhn–Munkres labels and sums over `n` pairs stay far below
/// `i64::MAX`. Beyond 2^52 integer steps an `f64` holds no more precision.
fn integer_scale(max_score: f64, n: usize) -> f64 {
    let limit = ((i64::MAX / 8) as f64 / (n as f64 + 1.0)).min(2f64.powi(52));
    let exponent = (limit / max_score).log2().floor();
    // Clamped so that the power of two itself stays finite and non-zero.
    2f64.powi(exponent.clamp(-1000.0, 1000.0) as i32)
}

/// Disjoint sets with path halving, for grouping rows and columns into components.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a] = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Sum of the scores of an assignment.
    fn total(cols: usize, score: &[f64], pairs: &[(usize, usize)]) -> f64 {
        pairs.iter().map(|&(r, c)| score[r * cols + c]).sum()
    }

    /// Best total over every partial matching, by exhaustive search (small sizes only).
    fn brute_force(rows: usize, cols: usize, score: &[f64]) -> f64 {
        fn go(r: usize, rows: usize, cols: usize, score: &[f64], used: &mut [bool]) -> f64 {
            if r == rows {
                return 0.0;
            }
            // Row r left unassigned...
            let mut best = go(r + 1, rows, cols, score, used);
            // ...or given any free column with a positive score.
            for c in 0..cols {
                let s = score[r * cols + c];
                if !used[c] && s > 0.0 {
                    used[c] = true;
                    best = best.max(s + go(r + 1, rows, cols, score, used));
                    used[c] = false;
                }
            }
            best
        }
        go(0, rows, cols, score, &mut vec![false; cols])
    }

    #[test]
    fn beats_greedy() {
        // Greedy takes (0,0) = 0.9, then row 1 has only a 0 left: total 0.9.
        // Optimal: (0,1) + (1,0) = 0.8 + 0.7 = 1.5.
        let score = [0.9, 0.8, 0.7, 0.0];
        assert_eq!(assign(2, 2, &score), vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn wide_and_tall_matrices() {
        // 2 × 3. Candidates: (0,1)+(1,2) = 2+6 = 8, (0,2)+(1,1) = 3+4 = 7,
        // (0,0)+(1,2) = 1+6 = 7, ... so the optimum is 8.
        let wide = [1.0, 2.0, 3.0, 2.0, 4.0, 6.0];
        assert_eq!(assign(2, 3, &wide), vec![(0, 1), (1, 2)]);
        // Its transpose, 3 × 2: the same pairs with row and column swapped.
        let tall = [1.0, 2.0, 2.0, 4.0, 3.0, 6.0];
        assert_eq!(assign(3, 2, &tall), vec![(1, 0), (2, 1)]);
        // A single column shared by three rows goes to the best row.
        assert_eq!(assign(3, 1, &[0.2, 0.7, 0.5]), vec![(1, 0)]);
    }

    #[test]
    fn non_positive_scores_are_never_matched() {
        // Kuhn–Munkres assigns every row; here row 1 would be forced onto a negative
        // or zero score, which must not come back as a match.
        assert_eq!(assign(2, 2, &[10.0, 9.0, -100.0, -100.0]), vec![(0, 0)]);
        assert_eq!(assign(2, 2, &[0.0, -1.0, -2.0, 0.0]), vec![]);
        assert_eq!(assign(1, 2, &[f64::NAN, 0.5]), vec![(0, 1)]);
    }

    #[test]
    fn empty_and_malformed_input_do_not_panic() {
        assert_eq!(assign(0, 0, &[]), vec![]);
        assert_eq!(assign(0, 3, &[]), vec![]);
        assert_eq!(assign(3, 0, &[]), vec![]);
        // Too short: the missing entries count as 0.
        assert_eq!(assign(2, 2, &[0.0, 0.0, 1.0]), vec![(1, 0)]);
        // Too long: the extra entries are ignored.
        assert_eq!(assign(1, 1, &[0.5, 9.0]), vec![(0, 0)]);
        // Infinite scores are ignored rather than sent to the solver, which could loop.
        assert_eq!(assign(1, 2, &[f64::INFINITY, 0.5]), vec![(0, 1)]);
    }

    #[test]
    fn tiny_and_huge_scores_keep_their_order() {
        assert_eq!(
            assign(2, 2, &[3e-300, 2e-300, 2e-300, 0.0]),
            vec![(0, 1), (1, 0)]
        );
        assert_eq!(
            assign(2, 2, &[3e300, 2e300, 2e300, 0.0]),
            vec![(0, 1), (1, 0)]
        );
    }

    #[test]
    fn separate_components_are_solved_together() {
        // Two independent 2 × 2 blocks on the diagonal of a 4 × 4 matrix, each of which
        // needs the solver (greedy is wrong in both).
        #[rustfmt::skip]
        let score = [
            0.9, 0.8, 0.0, 0.0,
            0.7, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.6,
            0.0, 0.0, 0.5, 0.55,
        ];
        assert_eq!(assign(4, 4, &score), vec![(0, 1), (1, 0), (2, 3), (3, 2)]);
    }

    proptest! {
        #[test]
        fn matches_exhaustive_search(
            (rows, cols, score) in (0usize..5, 1usize..5).prop_flat_map(|(r, c)| {
                (Just(r), Just(c), prop::collection::vec(
                    prop_oneof![Just(0.0), Just(1.0), -1.0..1.0f64], r * c))
            })
        ) {
            let pairs = assign(rows, cols, &score);
            // A valid partial matching of positive pairs...
            let mut used_rows = vec![false; rows];
            let mut used_cols = vec![false; cols];
            for &(r, c) in &pairs {
                prop_assert!(!used_rows[r] && !used_cols[c]);
                used_rows[r] = true;
                used_cols[c] = true;
                prop_assert!(score[r * cols + c] > 0.0);
            }
            // ...with the best possible total.
            let best = brute_force(rows, cols, &score);
            prop_assert!((total(cols, &score, &pairs) - best).abs() < 1e-9);
        }
    }
}
