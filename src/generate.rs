//! `clinic generate man|completions DIR` (hidden): the man pages and shell completions a package
//! installs, made from the command line's own definition so they never drift from it.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{CommandFactory, Subcommand};
use clap_complete::Shell;

#[derive(Subcommand)]
pub enum GenerateCommand {
    /// Man pages: clinic.1 and one per subcommand (clinic-db-backup.1, ...).
    Man { dir: PathBuf },
    /// Completions for bash (clinic.bash), zsh (_clinic) and fish (clinic.fish).
    Completions { dir: PathBuf },
}

pub fn run(command: GenerateCommand) -> anyhow::Result<()> {
    let (dir, written) = match command {
        GenerateCommand::Man { dir } => {
            let n = man(&dir)?;
            (dir, n)
        }
        GenerateCommand::Completions { dir } => {
            let n = completions(&dir)?;
            (dir, n)
        }
    };
    println!("Wrote {written} files to {}.", dir.display());
    Ok(())
}

fn made(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

fn man(dir: &Path) -> anyhow::Result<usize> {
    made(dir)?;
    clap_mangen::generate_to(super::Cli::command(), dir)
        .with_context(|| format!("writing man pages to {}", dir.display()))?;
    Ok(std::fs::read_dir(dir)?.count())
}

fn completions(dir: &Path) -> anyhow::Result<usize> {
    made(dir)?;
    let shells = [Shell::Bash, Shell::Zsh, Shell::Fish];
    for shell in shells {
        clap_complete::generate_to(shell, &mut super::Cli::command(), "clinic", dir)
            .with_context(|| format!("writing {shell} completions to {}", dir.display()))?;
    }
    Ok(shells.len())
}
