//! The data objects in S3-compatible storage ([`Bucket`]), with a cache on this machine.
//!
//! Objects are immutable and their keys never reused, so a cached copy stays good: a writer
//! writes the file into the cache, then uploads it; a reader fetches an object into the cache
//! once and reads it there.
//!
//! Before a writer creates an object it records the key in `pending_object` (the write-ahead
//! record), under an *owner*: an advisory lock that this process's journal session holds for
//! its whole life. The collector ([`crate::collect`]) deletes an object that no catalog row
//! references only when no live owner has it pending, so it never deletes an object a running
//! writer still needs, and a killed writer's objects go once its session is gone.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, WriteMultipart};
use postgres::Client;
use riskdesk::store::objects::Objects;
use riskdesk::{Error, Result};

use crate::postgres::error;

/// The advisory lock class of owners (two-key form: this class, then the owner's id).
pub(crate) const OWNER_CLASS: i32 = 0x5244_4b32;

/// Files up to this size are uploaded in one request; larger ones in parts of this size.
const PART: usize = 16 << 20;

/// A bucket (with a key prefix) and this machine's cache of it.
pub struct Bucket {
    /// How to reach the bucket; built into `store` on first use (building loads the system's TLS
    /// certificates, about 50 ms that commands touching no object need not wait for).
    builder: AmazonS3Builder,
    store: OnceLock<Arc<dyn ObjectStore>>,
    prefix: String,
    url: String,
    cache: PathBuf,
    runtime: tokio::runtime::Runtime,
    catalog: String,
    /// Opened by the first write (readers never need one).
    journal: Mutex<Option<Journal>>,
}

/// The session recording this process's pending objects, holding its owner lock.
struct Journal {
    client: Client,
    owner: i32,
}

fn storage_error(what: &str, key: &str, e: object_store::Error) -> Error {
    Error::Storage(format!("{what} {key}: {e}"))
}

impl Bucket {
    /// The bucket of `url` (`s3://BUCKET/PREFIX`), its endpoint and keys from the standard `AWS_*`
    /// variables; `cache` is this machine's folder for copies; `catalog` the journal's database.
    pub fn open(url: &str, cache: &Path, catalog: &str) -> Result<Bucket> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| Error::invalid(format!("a team store is s3://BUCKET/PREFIX, not '{url}'")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::invalid(format!("the store '{url}' names no bucket")));
        }
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none() {
            builder = builder.with_region("us-east-1");
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("riskdesk-bucket")
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the object store's runtime", e))?;
        // Private, like a home folder: it holds copies of the team's data.
        riskdesk::store::durable::create_private_dir_all(cache)?;
        Ok(Bucket {
            builder,
            store: OnceLock::new(),
            prefix: prefix.trim_matches('/').to_owned(),
            url: url.to_owned(),
            cache: cache.to_owned(),
            runtime,
            catalog: catalog.to_owned(),
            journal: Mutex::new(None),
        })
    }

    /// The object store client, built on first use.
    fn s3(&self) -> Result<&Arc<dyn ObjectStore>> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let built = self.builder.clone().build().map_err(|e| Error::invalid(format!("cannot use the store {}: {e}", self.url)))?;
        let _ = self.store.set(Arc::new(built));
        Ok(self.store.get().expect("set above"))
    }

    /// Fails with a clear error when the bucket cannot be reached or read with these keys.
    pub fn check(&self) -> Result<()> {
        let probe = self.key("data/");
        let s3 = self.s3()?;
        self.block_on(async {
            match s3.list(Some(&probe)).next().await {
                None | Some(Ok(_)) => Ok(()),
                Some(Err(e)) => Err(Error::Storage(format!("cannot use the store {}: {e}", self.url))),
            }
        })
    }

    /// The store's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// This machine's folder for copies of the objects.
    pub fn cache(&self) -> &Path {
        &self.cache
    }

    /// The object store key of `key`.
    pub(crate) fn key(&self, key: &str) -> Key {
        if self.prefix.is_empty() { Key::from(key) } else { Key::from(format!("{}/{key}", self.prefix)) }
    }

    /// The engine's key of an object store key (under this prefix).
    pub(crate) fn unkey<'k>(&self, key: &'k Key) -> Option<&'k str> {
        let k = key.as_ref();
        if self.prefix.is_empty() { Some(k) } else { k.strip_prefix(&self.prefix)?.strip_prefix('/') }
    }

    fn cached(&self, key: &str) -> PathBuf {
        self.cache.join(key)
    }

    /// Runs object store work on this bucket's runtime.
    pub(crate) fn block_on<F: std::future::Future>(&self, work: F) -> F::Output {
        self.runtime.block_on(work)
    }

    /// Every object (engine key, size, age in seconds) under the engine key folder `folder`.
    pub fn list(&self, folder: &str) -> Result<Vec<(String, u64)>> {
        let prefix = self.key(folder);
        self.block_on(async {
            let mut out = Vec::new();
            let mut stream = self.s3()?.list(Some(&prefix));
            while let Some(meta) = stream.next().await {
                let meta = meta.map_err(|e| storage_error("cannot list", folder, e))?;
                if let Some(k) = self.unkey(&meta.location) {
                    out.push((k.to_owned(), meta.size));
                }
            }
            Ok(out)
        })
    }

    /// Deletes the one object `key` and its cached copy.
    pub fn remove(&self, key: &str) -> Result<()> {
        match self.block_on(self.s3()?.delete(&self.key(key))) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(storage_error("cannot delete", key, e)),
        }
        let _ = std::fs::remove_file(self.cached(key));
        Ok(())
    }

    /// The content digest (XXH3, 128 bits) of the stored object `key`, read back from the bucket.
    pub fn digest(&self, key: &str) -> Result<u128> {
        self.block_on(async {
            let got = self.s3()?.get(&self.key(key)).await.map_err(|e| storage_error("cannot fetch", key, e))?;
            let mut hasher = xxhash_rust::xxh3::Xxh3::new();
            let mut stream = got.into_stream();
            while let Some(chunk) = stream.next().await {
                hasher.update(&chunk.map_err(|e| storage_error("cannot fetch", key, e))?);
            }
            Ok(hasher.digest128())
        })
    }

    /// Records `key` as pending under this process's owner (before it is written).
    fn journal(&self, key: &str) -> Result<()> {
        let mut journal = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        if journal.is_none() {
            *journal = Some(Journal::open(&self.catalog)?);
        }
        let j = journal.as_mut().expect("opened above");
        let owner = j.owner;
        j.client
            .execute(
                "INSERT INTO pending_object (key, owner) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET owner = $2, created = now()",
                &[&key, &owner],
            )
            .map_err(error)?;
        Ok(())
    }

    /// Forgets `key`'s pending record (once it is deleted).
    fn unjournal(&self, key: &str) {
        let mut journal = self.journal.lock().unwrap_or_else(|p| p.into_inner());
        let Some(j) = journal.as_mut() else { return };
        let owner = j.owner;
        let _ = j.client.execute("DELETE FROM pending_object WHERE key = $1 AND owner = $2", &[&key, &owner]);
    }

    async fn upload(&self, key: &str, file: &Path) -> Result<()> {
        let size = std::fs::metadata(file).map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?.len();
        let location = self.key(key);
        if size as usize <= PART {
            let bytes = std::fs::read(file).map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?;
            let opts = PutOptions { mode: PutMode::Create, ..Default::default() };
            self.s3()?.put_opts(&location, PutPayload::from(bytes), opts).await.map_err(|e| storage_error("cannot store", key, e))?;
            return Ok(());
        }
        // A large file in parts (multipart uploads have no conditional mode; the key is new).
        let upload = self.s3()?.put_multipart(&location).await.map_err(|e| storage_error("cannot store", key, e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut src = std::fs::File::open(file).map_err(|e| Error::io(format!("cannot open {}", file.display()), e))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = std::io::Read::read(&mut src, &mut buf).map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(4).await.map_err(|e| storage_error("cannot store", key, e))?;
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(|e| storage_error("cannot store", key, e))?;
        Ok(())
    }

    async fn download(&self, key: &str, to: &Path) -> Result<()> {
        let got = self.s3()?.get(&self.key(key)).await.map_err(|e| storage_error("cannot fetch", key, e))?;
        let tmp = to.with_extension(format!("part{:x}", rand_u32()));
        let mut file = riskdesk::store::durable::create_private_file(&tmp)?;
        let mut stream = got.into_stream();
        let result: Result<()> = async {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| storage_error("cannot fetch", key, e))?;
                std::io::Write::write_all(&mut file, &chunk).map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
            }
            file.sync_all().map_err(|e| Error::io(format!("cannot sync {}", tmp.display()), e))
        }
        .await;
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        riskdesk::store::durable::rename(&tmp, to)
    }
}

fn rand_u32() -> u32 {
    let mut b = [0u8; 4];
    let _ = getrandom::fill(&mut b);
    u32::from_le_bytes(b)
}

impl Journal {
    /// A session of its own holding a fresh owner lock.
    fn open(catalog: &str) -> Result<Journal> {
        let mut client = crate::postgres::connect(catalog)?;
        loop {
            let owner = rand_u32() as i32;
            let row = client.query_one("SELECT pg_try_advisory_lock($1, $2)", &[&OWNER_CLASS, &owner]).map_err(error)?;
            if row.get::<_, bool>(0) {
                return Ok(Journal { client, owner });
            }
        }
    }
}

impl Objects for Bucket {
    fn create(&self, key: &str) -> Result<PathBuf> {
        self.journal(key)?;
        let path = self.cached(key);
        if let Some(dir) = path.parent() {
            riskdesk::store::durable::create_private_dir_all(dir)?;
        }
        Ok(path)
    }

    fn publish(&self, key: &str) -> Result<()> {
        self.block_on(self.upload(key, &self.cached(key)))
    }

    fn local(&self, key: &str) -> Result<PathBuf> {
        let path = self.cached(key);
        if !path.exists() {
            if let Some(dir) = path.parent() {
                riskdesk::store::durable::create_private_dir_all(dir)?;
            }
            self.block_on(self.download(key, &path))?;
        }
        Ok(path)
    }

    fn exists(&self, key: &str) -> Result<bool> {
        let location = self.key(key);
        self.block_on(async {
            match self.s3()?.head(&location).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => {
                    let prefix = self.key(&format!("{key}/"));
                    let first = self.s3()?.list(Some(&prefix)).next().await;
                    Ok(matches!(first, Some(Ok(_))))
                }
                Err(e) => Err(storage_error("cannot look up", key, e)),
            }
        })
    }

    fn delete(&self, key: &str) -> Result<()> {
        let mut keys: Vec<String> = self.list(&format!("{key}/"))?.into_iter().map(|(k, _)| k).collect();
        keys.push(key.to_owned());
        for k in &keys {
            self.remove(k)?;
            self.unjournal(k);
        }
        let _ = std::fs::remove_dir_all(self.cached(key));
        Ok(())
    }
}
