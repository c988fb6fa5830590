//! Dependency order: definitions after the definitions they read, policies after the policies
//! that exclude them. A cycle is reported once, naming every member in order.

use crate::diagnostic::{Bilingual, Code, Diagnostic};
use crate::text;
use eligo_core::source::Span;

/// A node's dependencies, as (node, where the dependency is written).
pub type Edges = Vec<Vec<(u32, Span)>>;

/// Orders nodes so that each comes after all of its dependencies (Kahn's algorithm, no recursion).
/// Returns the order of the nodes not on or behind a cycle, and the cycles found.
pub fn topological(edges: &Edges) -> (Vec<u32>, Vec<Vec<(u32, Span)>>) {
    let n = edges.len();
    let mut waiting_on: Vec<usize> = edges.iter().map(|deps| deps.len()).collect();
    let mut dependents: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (node, deps) in edges.iter().enumerate() {
        for (dep, _) in deps {
            dependents[*dep as usize].push(node as u32);
        }
    }
    let mut ready: Vec<u32> = (0..n as u32).filter(|&i| waiting_on[i as usize] == 0).rev().collect();
    let mut order = Vec::with_capacity(n);
    while let Some(node) = ready.pop() {
        order.push(node);
        for &dependent in dependents[node as usize].iter().rev() {
            waiting_on[dependent as usize] -= 1;
            if waiting_on[dependent as usize] == 0 {
                ready.push(dependent);
            }
        }
    }
    let mut cycles = Vec::new();
    let mut reported = vec![false; n];
    for start in 0..n {
        if waiting_on[start] == 0 || reported[start] {
            continue;
        }
        // Walk unsettled dependencies until a node repeats: the walk from its first visit is a cycle.
        let mut path: Vec<(u32, Span)> = Vec::new();
        let mut position = vec![usize::MAX; n];
        let mut node = start as u32;
        let mut via = Span::default();
        loop {
            if position[node as usize] != usize::MAX {
                let mut cycle = path.split_off(position[node as usize]);
                // The first member is entered by the edge that closes the loop.
                cycle[0].1 = via;
                if cycle.iter().all(|(member, _)| !reported[*member as usize]) {
                    for (member, _) in &cycle {
                        reported[*member as usize] = true;
                    }
                    cycles.push(cycle);
                }
                break;
            }
            if reported[node as usize] {
                break;
            }
            position[node as usize] = path.len();
            path.push((node, via));
            match edges[node as usize].iter().find(|(dep, _)| waiting_on[*dep as usize] > 0) {
                Some(&(dep, span)) => {
                    via = span;
                    node = dep;
                }
                None => break,
            }
        }
        reported[start] = true;
    }
    (order, cycles)
}

/// How to speak of a cycle: `definitions` that `use` each other, or `policies` that `exclude`
/// each other.
pub struct CycleWords<'a> {
    /// "definitions depend on each other", in Chinese and in English
    pub what: (&'a str, &'a str),
    /// "uses", as in "a uses b"
    pub verb: (&'a str, &'a str),
    pub help: Bilingual,
    /// Edges point from a node to what it waits on; `true` when the relation is spoken the other
    /// way round (`a excludes b` makes b wait on a).
    pub reversed: bool,
}

/// The diagnostic for a cycle, naming it as `a → b → c → a`. `span` gives a member's
/// declaration; `via` names what an edge goes through, if anything (a table, say).
pub fn cycle_diagnostic(
    code: Code,
    cycle: &[(u32, Span)],
    name: impl Fn(u32) -> String,
    span: impl Fn(u32) -> Span,
    via: impl Fn(Span) -> Option<String>,
    words: &CycleWords,
) -> Diagnostic {
    // From the first member round to it again; the edge into member i is written at cycle[i].1.
    let mut steps: Vec<(String, String, Span)> = (0..cycle.len())
        .map(|k| {
            let i = (k + 1) % cycle.len();
            (name(cycle[k].0), name(cycle[i].0), cycle[i].1)
        })
        .collect();
    if words.reversed {
        steps = steps.into_iter().rev().map(|(from, to, at)| (to, from, at)).collect();
    }
    let mut chain = match steps.first() {
        Some((first, ..)) => first.clone(),
        None => String::new(),
    };
    for (_, to, at) in &steps {
        if let Some(through) = via(*at) {
            chain.push_str(&format!(" → {through}"));
        }
        chain.push_str(&format!(" → {to}"));
    }
    let start = cycle.first().map_or(Span::default(), |(node, _)| span(*node));
    let ((what_zh, what_en), (verb_zh, verb_en)) = (words.what, words.verb);
    let mut diagnostic =
        Diagnostic::new(code, start, text!("{what_zh}，形成了循环：{chain}", "{what_en} in a cycle: {chain}"))
            .with_label(text!("在循环上", "on the cycle"))
            .with_help(words.help.clone());
    for (from, to, at) in &steps {
        let (through_zh, through_en) = match via(*at) {
            Some(t) => (format!("（在 {t} 的行中）"), format!(" (in the rows of {t})")),
            None => (String::new(), String::new()),
        };
        diagnostic =
            diagnostic.with_note(*at, text!("{from} {verb_zh} {to}{through_zh}", "{from} {verb_en} {to}{through_en}"));
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(deps: &[&[u32]]) -> Edges {
        deps.iter().map(|d| d.iter().map(|&n| (n, Span::default())).collect()).collect()
    }

    #[test]
    fn orders_dependencies_first() {
        let (order, cycles) = topological(&edges(&[&[1], &[2], &[]]));
        assert_eq!(order, vec![2, 1, 0]);
        assert!(cycles.is_empty());
    }

    #[test]
    fn finds_each_cycle_once() {
        // 0 → 1 → 2 → 0, and 3 depends on the cycle.
        let (order, cycles) = topological(&edges(&[&[1], &[2], &[0], &[0]]));
        assert!(order.is_empty());
        assert_eq!(cycles.len(), 1);
        let members: Vec<u32> = cycles[0].iter().map(|(n, _)| *n).collect();
        assert_eq!(members, vec![0, 1, 2]);
    }

    #[test]
    fn a_self_loop_is_a_cycle() {
        let (_, cycles) = topological(&edges(&[&[0]]));
        assert_eq!(cycles.len(), 1);
    }
}
