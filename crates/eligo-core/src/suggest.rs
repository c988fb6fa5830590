//! "Did you mean …?": the closest of the names a reader could have meant, for the checker's
//! unknown names and the facts reader's unknown keys (so it is part of the evaluation-only build).

use crate::limits::SUGGESTION_WORK;

/// "did you mean …?": the candidate closest to `name` by edit distance, if close enough.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    did_you_mean_within(name, candidates, SUGGESTION_WORK).0
}

/// The closest is the one fewest edits away; of those, the shortest; of those, the first in
/// Unicode code-point order.
///
/// `did_you_mean` within a budget of work, and the work it took: with the budget spent, the
/// candidates not yet looked at are not suggested (robustness: a file full of unknown names, or
/// citizen data full of unknown keys, must not make checking it take minutes).
///
/// The candidate's length decides cheaply what the edit distance need not: a candidate that
/// contains `name` (or is contained in it) is exactly as far as their lengths differ, and one
/// whose length differs by more than the limit is too far.
pub fn did_you_mean_within<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    budget: usize,
) -> (Option<&'a str>, usize) {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    let mut work = len;
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if work > budget {
            break;
        }
        if candidate == name {
            continue;
        }
        let candidate_len = candidate.chars().count();
        work += candidate_len;
        let contained = (len >= 2 && candidate.contains(name)) || (candidate_len >= 2 && name.contains(candidate));
        let distance = if contained {
            len.abs_diff(candidate_len)
        } else if len.abs_diff(candidate_len) > limit {
            continue;
        } else {
            work += (len + 1) * (candidate_len + 1);
            if work > budget {
                break;
            }
            match edit_distance(name, candidate) {
                d if d <= limit => d,
                _ => continue,
            }
        };
        // Ties go to the shorter name, then to the first in code-point order: the same name
        // whatever order the candidates come in.
        if best.is_none_or(|(d, c)| (distance, candidate.len(), candidate) < (d, c.len(), c)) {
            best = Some((distance, candidate));
        }
    }
    (best.map(|(_, c)| c), work)
}

/// Edit distance over characters, a swap of neighbours counting as one edit (so 年龄 and 年令
/// are one edit apart, and so are hukuo and hukou).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_in_any_script() {
        assert_eq!(did_you_mean("birth_dat", ["birth_date", "hukou"]), Some("birth_date"));
        assert_eq!(did_you_mean("年令", ["年龄", "户籍"]), Some("年龄"));
        assert_eq!(did_you_mean("zzz", ["birth_date", "hukou"]), None);
        assert_eq!(did_you_mean("hukuo", ["birth_date", "hukou"]), Some("hukou"));
        assert_eq!(did_you_mean("income", ["monthly_income", "hukou"]), Some("monthly_income"));
        assert_eq!(did_you_mean("monthly_income_of_member", ["monthly_income", "income"]), Some("monthly_income"));
    }

    #[test]
    fn ties_do_not_depend_on_the_order_of_the_candidates() {
        let names = ["abcx", "abcy", "abxd", "zbcd", "abc", "abcdd"];
        let mut reversed = names;
        reversed.reverse();
        assert_eq!(did_you_mean("abcd", names), Some("abc"));
        assert_eq!(did_you_mean("abcd", reversed), Some("abc"));
        let four = ["abcy", "zbcd", "abcx", "abxd"];
        assert_eq!(did_you_mean("abcd", four), Some("abcx"));
        assert_eq!(did_you_mean("abcd", four.iter().rev().copied()), Some("abcx"));
    }

    #[test]
    fn suggestions_stay_within_their_budget() {
        let long = "a".repeat(1_000_000);
        assert_eq!(did_you_mean(&long, ["hukou", "aaaa"]), Some("aaaa"));
        let names: Vec<String> = (0..20_000).map(|i| format!("{i:0>120}")).collect();
        let (_, work) = did_you_mean_within(&"x".repeat(120), names.iter().map(String::as_str), 1_000_000);
        assert!(work < 1_100_000, "{work}");
    }
}
