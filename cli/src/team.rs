//! `riskdesk store ...`: moving a home folder into a team store, and collecting its orphans.

use riskdesk::Result;
use riskdesk::store::Storage;

use crate::args::Store;
use crate::output::{megabytes, with_progress};
use crate::stores::Stores;

/// Runs a `store` command on the team store given by --catalog and --store.
pub fn run(stores: &Stores, cmd: Store) -> Result<()> {
    match cmd {
        Store::Migrate { from } => {
            let to = stores.team_store()?;
            let moved = with_progress(|p| riskdesk_team::copy::copy(&from, &to, p))?;
            let rows: Vec<String> = moved.rows.iter().filter(|(_, n)| *n > 0).map(|(t, n)| format!("{n} {t}")).collect();
            println!(
                "Moved {} into {}: {} objects ({}), catalog rows: {}.",
                from.display(),
                to.location(),
                moved.objects,
                megabytes(moved.bytes),
                rows.join(", ")
            );
            println!("Verified: every table's row count, and every object's content read back from the bucket.");
        }
        Store::Gc => {
            let c = riskdesk_team::collect::collect(&stores.team_store()?)?;
            println!(
                "{} objects: deleted {} orphaned ({}), kept {} being written by running writers.",
                c.objects,
                c.deleted.len(),
                megabytes(c.bytes),
                c.pending
            );
        }
    }
    Ok(())
}
