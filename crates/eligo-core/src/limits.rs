//! Every limit of the engine, declared once: what a rule file, a precompiled program, a citizen's
//! data and one evaluation may hold or take. Each keeps hostile or broken input from exhausting
//! the stack, the memory or the time of the process (robustness); each is far above what real
//! rules and data need. The compiler, the validator of precompiled programs, the facts reader and
//! the evaluator all read them from here, and the relations between them are checked when the
//! crate compiles (at the end of this file).

// Rule text: checked by the compiler (`syntax`, `check`).

/// Largest rule file accepted (the largest real rule sets are a few hundred kilobytes).
pub const MAX_SOURCE_BYTES: usize = 2 * 1024 * 1024;
/// Deepest nesting of brackets and `if … then … else` in an expression: checked on the raw text
/// before pest sees it, because a recursive-descent parser overflows its stack long before it
/// could report 10,000 nested parentheses.
pub const MAX_NESTING: usize = 48;
/// Deepest expression tree (operators chained, prefixes, brackets): keeps the checker's and the
/// evaluator's recursion far from the stack's end, also in WebAssembly's smaller stack.
pub const MAX_EXPR_DEPTH: usize = 100;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest text in quotes in a rule file, in characters (labels, options, notes).
pub const MAX_RULE_TEXT_CHARS: usize = 4096;
/// Most declarations in one rule set.
pub const MAX_DECLARATIONS: usize = 20_000;
/// Most rows in one table, in rule text and in a precompiled program alike: a `unique` table's
/// rows are compared pairwise for overlaps, and scanned on every lookup (a policy annex has tens
/// of rows).
pub const MAX_TABLE_ROWS: usize = 1_000;
/// Deepest evaluation through tables whose rows look up tables: the depths of the rows'
/// expressions along the chain of lookups, added (`t1` looks up `t2` in a row 3 deep, whose rows
/// are 2 deep: 5). Each level is a frame of the evaluator's recursion; with an expression of the
/// greatest depth on top, the evaluator stays far from the end of WebAssembly's 1 MiB stack.
pub const MAX_TABLE_DEPTH: usize = 2 * MAX_EXPR_DEPTH;
/// Most policies in one `highest of` group, in rule text and in a precompiled program alike:
/// members are compared with each other on every evaluation.
pub const MAX_GROUP_MEMBERS: usize = 100;
/// Most work checking the amounts, fees and waivers known when the rules are checked (each
/// date on which their parameters change costs a look at every parameter); what is left past it
/// is checked on each evaluation.
pub const CONSTANT_MONEY_WORK: usize = 2_000_000;

// Programs loaded from bytes: checked by `precompiled` while decoding and validating. They bound
// what the language cannot produce, so they are derived from its limits, with room to spare.

/// Deepest tree of expressions and values a precompiled program may hold: above the deepest the
/// language allows (a chain of `MAX_EXPR_DEPTH` operators has one more level for its last operand;
/// decoding also counts the levels of constants' values), 128 in all, low enough that decoding,
/// evaluating and dropping a tree stay far from the end of WebAssembly's stack.
pub const MAX_PROGRAM_DEPTH: usize = MAX_EXPR_DEPTH + 28;
/// Deepest chain of table lookups in a precompiled program, the depths of the rows added along
/// it: as [`MAX_TABLE_DEPTH`] is to [`MAX_EXPR_DEPTH`], for the same reason.
pub const MAX_PROGRAM_TABLE_DEPTH: usize = 2 * MAX_PROGRAM_DEPTH;

// Citizen data: checked by `json` and `facts` while reading it.

/// Most items in one list (a household, say).
pub const MAX_LIST_ITEMS: usize = 1_000;
/// Deepest nesting of the data (an object of lists of records is 3).
pub const MAX_DATA_DEPTH: usize = 32;
/// Longest text value in the data, in characters (an address, say; longer than a rule's texts,
/// which are labels).
pub const MAX_DATA_TEXT_CHARS: usize = 10_000;
/// Unknown keys of one object that get a "did you mean …?" (the others are warned about plainly).
pub const MAX_SUGGESTED_KEYS: usize = 20;
/// Largest data text, in bytes (one citizen's facts are a few kilobytes; 2.5 million unknown
/// keys took 830 MB to read).
pub const MAX_DATA_BYTES: usize = 4 * 1024 * 1024;
/// Most keys in one object of the data (a record has tens of fields).
pub const MAX_OBJECT_KEYS: usize = 10_000;
/// Most keys in all the objects of the data together.
pub const MAX_DATA_KEYS: usize = 100_000;
/// Most warnings about the data in one report (unknown keys); the others are one count,
/// "and N more".
pub const MAX_REPORTED_WARNINGS: usize = 100;

// One evaluation: checked by `eval`. Lists are bounded and there are no loops, so only nested
// list operations over long lists, or many policies over them, come near these.

/// Most expression steps one policy may take for one citizen.
pub const MAX_STEPS: u64 = 2_000_000;
/// Most steps one whole evaluation may take: the definitions and every policy together, so that
/// no rule set can make one citizen's evaluation run on, whatever the data (each policy still
/// has its own [`MAX_STEPS`]; once the total is spent, the remaining policies are errors). Table
/// rows scanned and the keys of missing sets merged count as steps too.
pub const MAX_EVALUATION_STEPS: u64 = 20_000_000;
/// Most missing facts one evaluation names in all (each undetermined policy lists its own). A
/// long list whose items all miss facts, read by many policies, would otherwise make a report of
/// hundreds of megabytes from a few kilobytes of data. An undetermined policy past the limit is
/// an error that says so: its list of missing facts is never cut short silently.
pub const MAX_REPORTED_MISSING: usize = 100_000;
/// Most work settling the groups and exclusions of one evaluation may take: member comparisons
/// and the keys of the missing sets they merge. A rule set with many large groups over policies
/// that each miss many facts could otherwise make one evaluation run on; the members of what is
/// left unsettled are errors, never granted together by mistake.
pub const MAX_RELATION_WORK: u64 = 20_000_000;

// "Did you mean …?": for the checker's unknown names and the facts reader's unknown keys.

/// Most work one suggestion may take (characters looked at and cells of edit-distance tables
/// filled): comparing a name with every one of 20,000 long names is seconds of work.
pub const SUGGESTION_WORK: usize = 2_000_000;
/// Most work all the suggestions of one rule set may take together: a file of thousands of
/// unknown names among thousands of declared ones must still be checked in a moment, so the
/// suggestions stop there (the errors are all reported).
pub const RULE_SET_SUGGESTION_WORK: usize = 20_000_000;

// The relations the code relies on, checked when the crate compiles.
const _: () = {
    // The loader accepts every program the language allows.
    assert!(MAX_PROGRAM_DEPTH > MAX_EXPR_DEPTH + 1);
    assert!(MAX_PROGRAM_TABLE_DEPTH >= MAX_TABLE_DEPTH);
    // Spans store byte offsets as u32.
    assert!(MAX_SOURCE_BYTES < u32::MAX as usize);
    // Inputs, fields and list items are numbered by u32, with u32::MAX meaning "none".
    assert!(MAX_DECLARATIONS < u32::MAX as usize);
    assert!(MAX_LIST_ITEMS < u32::MAX as usize);
    // The facts reader refuses deep data itself, before serde_json's recursion limit (128).
    assert!(MAX_DATA_DEPTH < 128);
    // One policy's steps fit in the evaluation's, and one suggestion's work in the rule set's.
    assert!(MAX_STEPS <= MAX_EVALUATION_STEPS);
    assert!(SUGGESTION_WORK <= RULE_SET_SUGGESTION_WORK);
};
