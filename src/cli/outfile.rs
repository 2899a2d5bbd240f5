//! Writing a result file without losing a file: never the input, atomically
//! over a regular file, through a device or pipe, and nothing left behind.
//!
//! - The output is never the input: the two are compared by device and
//!   inode, so a hard link, another path to the same file, or standard input
//!   redirected from the output file are all caught.
//! - A regular file (or a new one) is written to a temporary file beside it
//!   and renamed over it at the end, so readers see the old file or the whole
//!   new one. A new file is owner-only (health data); an existing file keeps
//!   its permission bits.
//! - A symbolic link stays a link: the file it points to is replaced,
//!   atomically, by a temporary file beside that file.
//! - Anything else that exists (a FIFO, `/dev/null`, a terminal) is written
//!   through, never replaced; a directory is refused.
//! - A temporary file is removed when the command fails, and also when it is
//!   stopped by SIGINT, SIGTERM or SIGHUP.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use anyhow::Context;

use super::UsageError;

/// Where the command's input comes from, to make sure the output is not it.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A file.
    Path(&'a Path),
    /// Standard input.
    Stdin,
}

/// An output file being written.
pub struct OutputFile {
    target: Target,
    shown: PathBuf,
}

enum Target {
    Through(File),
    Atomic {
        temp: tempfile::NamedTempFile,
        destination: PathBuf,
        keep_mode: Option<fs::Permissions>,
        _registration: Registration,
    },
}

/// Temporary files to remove if a signal stops the process.
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

impl OutputFile {
    /// Opens `path` for writing the result of a command reading `input`;
    /// refuses the input itself (a usage error) and a directory.
    pub fn create(path: &Path, input: Input<'_>) -> anyhow::Result<OutputFile> {
        let existing = fs::metadata(path).ok();
        if let Some(out) = &existing
            && let Some(same) = same_as_input(out, input)
        {
            return Err(UsageError(format!(
                "--output `{}` is {same}; stepcare never overwrites its input",
                path.display()
            ))
            .into());
        }
        let target = match &existing {
            Some(meta) if meta.is_dir() => {
                return Err(UsageError(format!(
                    "--output `{}` is a directory; name a file",
                    path.display()
                ))
                .into());
            }
            Some(meta) if !meta.is_file() => {
                // A FIFO, a device, a socket: written through, never replaced.
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot write to `{}`", path.display()))?;
                Target::Through(file)
            }
            _ => {
                let destination = resolve_links(path)?;
                let parent = match destination.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                install_cleanup();
                let mut registry = TEMPORARY.lock().unwrap_or_else(|e| e.into_inner());
                let temp = tempfile::Builder::new()
                    .prefix(".stepcare-")
                    .suffix(".tmp")
                    .tempfile_in(&parent)
                    .with_context(|| format!("cannot create a file in `{}`", parent.display()))?;
                registry.push(temp.path().to_path_buf());
                Target::Atomic {
                    _registration: Registration(temp.path().to_path_buf()),
                    temp,
                    destination,
                    keep_mode: existing.map(|m| m.permissions()),
                }
            }
        };
        Ok(OutputFile {
            target,
            shown: path.to_path_buf(),
        })
    }

    /// The file to write into.
    pub fn file(&mut self) -> &mut File {
        match &mut self.target {
            Target::Through(file) => file,
            Target::Atomic { temp, .. } => temp.as_file_mut(),
        }
    }

    /// Finishes the file: flushed, and renamed over the destination.
    pub fn commit(self) -> anyhow::Result<()> {
        let shown = self.shown;
        match self.target {
            Target::Through(mut file) => file
                .flush()
                .with_context(|| format!("cannot write to `{}`", shown.display())),
            Target::Atomic {
                temp,
                destination,
                keep_mode,
                _registration,
            } => {
                if let Some(mode) = keep_mode {
                    temp.as_file()
                        .set_permissions(mode)
                        .with_context(|| format!("cannot write `{}`", shown.display()))?;
                }
                temp.persist(&destination)
                    .map(|_| ())
                    .with_context(|| format!("cannot write `{}`", shown.display()))
            }
        }
    }
}

/// A temporary file's place in the list the signal handler cleans up; it
/// leaves the list when dropped (the file itself is renamed, or removed by
/// its own drop).
struct Registration(PathBuf);

impl Drop for Registration {
    fn drop(&mut self) {
        let mut registry = TEMPORARY.lock().unwrap_or_else(|e| e.into_inner());
        registry.retain(|p| *p != self.0);
    }
}

/// What the output is, when it is the input: "the input file", "standard input".
fn same_as_input(out: &fs::Metadata, input: Input<'_>) -> Option<&'static str> {
    let (meta, what) = match input {
        Input::Path(path) => (fs::metadata(path).ok()?, "the input file"),
        Input::Stdin => (stdin_metadata()?, "standard input (the same file)"),
    };
    same_file(out, &meta).then_some(what)
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn stdin_metadata() -> Option<fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<fs::Metadata> {
    None
}

/// The file a path finally names, following symbolic links (also one that
/// points to a file not yet there), so that the link itself is kept.
fn resolve_links(path: &Path) -> anyhow::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current)
                    .with_context(|| format!("cannot read the link `{}`", current.display()))?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(UsageError(format!(
        "--output `{}`: too many symbolic links in a chain",
        path.display()
    ))
    .into())
}

/// Removes the temporary files of a process stopped by SIGINT, SIGTERM or
/// SIGHUP, then lets the signal end it as it would have.
fn install_cleanup() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            use signal_hook::iterator::Signals;
            let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let registry = TEMPORARY.lock().unwrap_or_else(|e| e.into_inner());
                    for path in registry.iter() {
                        let _ = fs::remove_file(path);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        }
    });
}
