//! `riskdesk reference ...`: the reference datasets (the universe risk datasets borrow).

use riskdesk::text::thousands;
use riskdesk::{Backend, Result};

use crate::args::Reference;
use crate::output::{listing, print_json, with_progress};

/// Runs a `reference` command.
pub fn run(backend: &dyn Backend, cmd: Reference) -> Result<()> {
    match cmd {
        Reference::Import { name, dir, id_type, replace, json } => {
            let info = with_progress(|p| backend.import_reference(&name, &dir, &id_type, replace, p))?;
            if json {
                return print_json(&info);
            }
            println!(
                "Imported reference dataset {}: {} assets on {} exchanges; id types {}.",
                info.name,
                thousands(info.assets as u64),
                info.exchanges,
                info.id_types.join(", ")
            );
        }
        Reference::Demo { size, json } => {
            let info = backend.demo_reference(&size.options()?)?;
            if json {
                return print_json(&info);
            }
            println!(
                "Built reference dataset {}: {} assets on {} exchanges, market caps {} to {}.",
                info.name,
                thousands(info.assets as u64),
                info.exchanges,
                info.first_date.unwrap_or_default(),
                info.last_date.unwrap_or_default()
            );
        }
        Reference::List { json } => {
            listing(&backend.references()?, json, "No reference datasets yet: run `riskdesk reference demo` or `reference import`.")?
        }
        Reference::Delete { name } => {
            backend.delete_reference(&name)?;
            println!("Deleted reference dataset {name}.");
        }
    }
    Ok(())
}
