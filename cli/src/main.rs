//! `riskdesk`: every workflow step from a terminal. A thin layer over the engine crate: `args`
//! parses the command line, `stores` opens the store it names, a module per command family runs
//! it and prints its answer (with the helpers of `output`).

mod args;
mod exposures;
mod files;
mod output;
mod portfolios;
mod reference;
mod riskdatasets;
mod riskmodels;
mod serve;
mod stores;
mod team;
mod upload;

use std::process::ExitCode;

use clap::Parser;
use riskdesk::Result;

use args::{Cli, Command};
use stores::Stores;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for d in e.details() {
                eprintln!("  {d}");
            }
            eprintln!("  (code: {})", e.code());
            ExitCode::FAILURE
        }
    }
}

/// Runs a command on the store the global options name.
fn run(cli: Cli) -> Result<ExitCode> {
    let stores = Stores::new(&cli);
    match cli.command {
        Command::Scan { folder, dataset, json } => files::scan(&stores, &folder, dataset, json)?,
        Command::Batch { folder, out, level } => files::batch(&folder, &out, level)?,
        Command::Demo(cmd) => files::demo(cmd)?,
        Command::Keys(cmd) => serve::keys(&stores.home()?, cmd)?,
        Command::Serve { listen, max_upload_mb, limits } => serve::serve(&stores, listen, max_upload_mb, &limits)?,
        Command::Store(cmd) => team::run(&stores, cmd)?,
        Command::Upload(cmd) => return upload::run(stores.backend()?.as_ref(), cmd),
        Command::Reference(cmd) => reference::run(stores.backend()?.as_ref(), cmd)?,
        Command::Riskdatasets(cmd) => riskdatasets::run(stores.backend()?.as_ref(), cmd)?,
        Command::Riskmodels(cmd) => riskmodels::run(stores.backend()?.as_ref(), cmd)?,
        Command::Risk(args) => portfolios::risk(stores.backend()?.as_ref(), args)?,
        Command::Portfolios(cmd) => portfolios::run(stores.backend()?.as_ref(), cmd)?,
        Command::Exposures(cmd) => exposures::run(stores.backend()?.as_ref(), cmd)?,
    }
    Ok(ExitCode::SUCCESS)
}
