//! The commands on files and folders: `scan`, `batch` and `demo`.

use std::path::Path;

use riskdesk::Result;
use riskdesk::demo::{DemoLayout, DemoOptions};

use crate::args::{Demo, Layout};
use crate::output::{megabytes, print_json, with_progress};
use crate::stores::Stores;

/// `riskdesk scan`: the daily files of a folder by year, and those left out; with a dataset, the
/// files it already holds.
pub fn scan(stores: &Stores, folder: &Path, dataset: Option<String>, json: bool) -> Result<()> {
    let report = match &dataset {
        Some(name) => stores.backend()?.scan(folder, Some(name))?,
        None => riskdesk::scan::scan(folder, &Default::default())?,
    };
    if json {
        return print_json(&report);
    }
    let years: Vec<String> = report.years.iter().map(|y| y.year.to_string()).collect();
    println!("Found {} files. Years: {}", report.files.len(), years.join(", "));
    for y in &report.years {
        println!("  {}: {} files, {}", y.year, y.files, megabytes(y.bytes));
    }
    if let Some(name) = dataset {
        println!("In {name}: {} already staged, {} already committed.", report.staged, report.committed);
    }
    if !report.rejected.is_empty() {
        println!("Left out ({}):", report.rejected.len());
        for r in &report.rejected {
            println!("  {}: {}", r.file_name, r.reason);
        }
    }
    Ok(())
}

/// `riskdesk batch`: the daily files of a folder into annual ZIPs.
pub fn batch(folder: &Path, out: &Path, level: u32) -> Result<()> {
    let archives = with_progress(|p| riskdesk::batch::batch(folder, out, level, p))?;
    for a in archives {
        println!("{}: {} files, {} -> {}", a.path.display(), a.files, megabytes(a.bytes_in), megabytes(a.bytes_out));
    }
    Ok(())
}

/// `riskdesk demo ...`: demo exposure files, or the matching reference folder.
pub fn demo(cmd: Demo) -> Result<()> {
    match cmd {
        Demo::Exposures { out, size, layout, prefix } => {
            let layout = match layout {
                Layout::Long => DemoLayout::Long,
                Layout::Wide => DemoLayout::Wide,
            };
            let opts = DemoOptions { layout, prefix, ..size.options()? };
            let files = with_progress(|p| riskdesk::demo::write_exposures(&out, &opts, p))?;
            println!("Wrote {} demo files to {}", files.len(), out.display());
        }
        Demo::Reference { out, size } => {
            let files = riskdesk::reference::demo::write_folder(&size.options()?, &out)?;
            println!("Wrote {} reference files to {} (riskdesk reference import NAME {})", files.len(), out.display(), out.display());
        }
    }
    Ok(())
}
