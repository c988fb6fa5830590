//! What several test files share: the crate's folder and its rule files.

use std::path::{Path, PathBuf};

/// The workspace's folder: the tests of the binary belong to crates/eligo-cli, the others to the
/// root package, and all of them read rules/ and tests/fixtures/ from the top.
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().find(|dir| dir.join("grammar/eligo.pest").is_file()).unwrap_or(manifest).to_path_buf()
}

/// Every .rules file under `dir`, sorted by path, named as the CLI names them (`rules/…`).
pub fn rule_files(dir: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rules") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(root()).expect("under the crate root");
            let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            (name, text)
        })
        .collect()
}
