//! Which store a command works on: a home folder, a team store (--catalog and --store) or a
//! server (--endpoint), from the global options.

use std::path::PathBuf;

use riskdesk::{Backend, Error, LocalBackend, Result};
use riskdesk_team::TeamStore;

use crate::args::Cli;

/// The global options that choose a store.
pub struct Stores {
    home_root: PathBuf,
    endpoint: Option<String>,
    api_key: String,
    catalog: Option<String>,
    store: Option<String>,
    cache: Option<PathBuf>,
}

impl Stores {
    /// The choice made by the command line's global options.
    pub fn new(cli: &Cli) -> Stores {
        Stores {
            home_root: cli.home.clone().unwrap_or_else(LocalBackend::default_root),
            endpoint: cli.endpoint.clone().filter(|e| !e.trim().is_empty()),
            api_key: cli.api_key.clone().unwrap_or_default(),
            catalog: cli.catalog.clone().filter(|s| !s.trim().is_empty()),
            store: cli.store.clone().filter(|s| !s.trim().is_empty()),
            cache: cli.cache.clone(),
        }
    }

    /// The server given with --endpoint, if any.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The team store given by --catalog and --store, if any (both or neither).
    pub fn team(&self) -> Result<Option<TeamStore>> {
        match (&self.catalog, &self.store) {
            (None, None) => Ok(None),
            (Some(catalog), Some(store)) => Ok(Some(TeamStore::open(catalog, store, self.cache.as_deref())?)),
            (Some(_), None) => Err(Error::invalid("--catalog needs --store too (s3://BUCKET/PREFIX): a team store is both")),
            (None, Some(_)) => Err(Error::invalid("--store needs --catalog too (postgres://USER@HOST/DATABASE): a team store is both")),
        }
    }

    /// The team store, for the commands that need one.
    pub fn team_store(&self) -> Result<TeamStore> {
        self.team()?.ok_or_else(|| {
            Error::invalid("this command needs a team store: give --catalog and --store (or RISKDESK_CATALOG and RISKDESK_STORE)")
        })
    }

    /// The store itself (the team store, else the home folder), for keys and serving: they
    /// manage a store, not a server.
    pub fn home(&self) -> Result<LocalBackend> {
        if let Some(url) = &self.endpoint {
            return Err(Error::invalid(format!(
                "this command works on a home folder or a team store, not on a server ({url}): run it without --endpoint"
            )));
        }
        match self.team()? {
            Some(t) => LocalBackend::on(t.shared()),
            None => LocalBackend::open(&self.home_root),
        }
    }

    /// The workflow's store: the server given with --endpoint, else the team store or home folder.
    pub fn backend(&self) -> Result<Box<dyn Backend>> {
        match &self.endpoint {
            Some(url) => Ok(Box::new(riskdesk_remote::RemoteBackend::connect(url, &self.api_key)?)),
            None => Ok(Box::new(self.home()?)),
        }
    }
}
