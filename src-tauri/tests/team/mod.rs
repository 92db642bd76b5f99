//! A real `riskdesk serve` (the server crate, in this process) on a free loopback port, for the
//! app's tests of remote mode.

use std::path::Path;

/// A server over a home folder, stopped when dropped.
pub struct TeamServer {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TeamServer {
    pub fn start(home: &Path) -> TeamServer {
        let backend = riskdesk::LocalBackend::open(home).expect("open the server's home");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
                let shutdown = async move {
                    let _ = stopped.await;
                };
                let _ = riskdesk_server::serve(backend, riskdesk_server::Limits::default(), listener, shutdown, move |a| {
                    let _ = tx.send(a);
                })
                .await;
            });
        });
        let addr = rx.recv().expect("the server listens");
        TeamServer { url: format!("http://{addr}"), stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for TeamServer {
    fn drop(&mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        let _ = self.thread.take().map(std::thread::JoinHandle::join);
    }
}
