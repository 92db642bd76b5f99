// Connection: where Riskdesk works. "This computer" (the home folder) or a server speaking the
// risk platform's API (a team's `riskdesk serve`): add one with its address and API key, test
// it, connect, switch between saved servers and this computer, forget one.
import { signal } from "@preact/signals";
import { api, type ServerInfo } from "../api";
import { Action } from "../action";
import { place, placeName, switchPlace } from "../store";
import { Outcome } from "../ui";

const name = signal("");
const endpoint = signal("");
const key = signal("");
/** What the last test said, for the address and key it was made with. */
const tested = signal<{ endpoint: string; check: ServerInfo } | null>(null);

const testing = new Action();
const connecting = new Action();
const saved = new Action();

/** "Team server" from "http://riskdesk.team:8080". */
function nameFor(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

function describe(c: ServerInfo): string {
  const kind = c.riskdesk !== null ? `Riskdesk ${c.riskdesk}` : "a risk platform server (not Riskdesk)";
  return `${kind}, platform API ${c.client_version || "?"}; the key belongs to ${c.user || "an unnamed user"}`;
}

async function test() {
  const check = await testing.run("Testing the connection", () => api.testConnection(endpoint.value.trim(), key.value.trim()), { progress: "plain" });
  tested.value = check ? { endpoint: endpoint.value.trim(), check } : null;
}

async function connectNew() {
  const serverName = name.value.trim() || nameFor(endpoint.value.trim());
  const done = await connecting.run(
    `Connecting to ${serverName}`,
    async () => {
      await switchPlace(() => api.connectServer(serverName, endpoint.value.trim(), key.value.trim()));
      return true;
    },
    { progress: "plain", done: () => `Connected to ${serverName}: every screen now works on it.` },
  );
  if (done) {
    key.value = "";
    tested.value = null;
  }
}

function Current() {
  const p = place.value;
  const check = p?.check ?? null;
  return (
    <section class="card" id="connection-current">
      <h2>Working on</h2>
      {check
        ? <>
            <p class="place-line"><strong id="place-name">{placeName.value}</strong> <code>{check.endpoint}</code></p>
            <p class="muted" id="place-detail">{describe(check)}</p>
            {check.riskdesk === null
              ? <p class="warning" id="place-plain">A plain risk platform server, not Riskdesk: only reading committed data works here, and uploads are staged without their results shown. Everything else needs a Riskdesk server (<code>riskdesk serve</code>) and says so when asked.</p>
              : null}
            <div class="actions left">
              <button id="disconnect" onClick={() => void saved.run("Switching to this computer", () => switchPlace(api.disconnect), { progress: "none" })}>Work on this computer</button>
            </div>
          </>
        : <>
            <p class="place-line"><strong id="place-name">This computer</strong> <code>{p?.home ?? ""}</code></p>
            <p class="muted">Everything stays in this folder. Add a server below to work on your team's data.</p>
          </>}
      <Outcome action={saved} id="connection-switch" />
    </section>
  );
}

function Saved() {
  const servers = place.value?.servers ?? [];
  return (
    <section class="card" id="saved-servers">
      <h2>Saved servers</h2>
      {servers.length === 0
        ? <p class="muted" id="servers-empty">None yet.</p>
        : <div class="tablescroll"><table class="compact" id="server-list">
            <thead><tr><th>Name</th><th>Address</th><th>Key kept in</th><th /></tr></thead>
            <tbody>
              {servers.map((s) => {
                const here = place.value?.server === s.name;
                return (
                  <tr key={s.name} class={here ? "selected" : ""}>
                    <td>{s.name}{here ? <span class="muted"> (in use)</span> : null}</td>
                    <td><code>{s.endpoint}</code></td>
                    <td>{s.key_store === "keychain" ? "the system keychain" : "a file only you can read"}</td>
                    <td class="rowactions">
                      <button class="primary" id={`connect-${s.name}`} disabled={here} onClick={() =>
                        void saved.run(`Connecting to ${s.name}`, () => switchPlace(() => api.connectServer(s.name, null, null)), { progress: "plain" })}>Connect</button>
                      <button class="danger" id={`forget-${s.name}`} onClick={() =>
                        void saved.run(`Forgetting ${s.name}`, () => switchPlace(() => api.forgetServer(s.name)), { progress: "none" })}>Forget</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table></div>}
    </section>
  );
}

function AddServer() {
  const ready = endpoint.value.trim() !== "" && key.value.trim() !== "";
  const check = tested.value?.endpoint === endpoint.value.trim() ? tested.value.check : null;
  return (
    <section class="card" id="add-server">
      <h2>Add a server</h2>
      <p class="muted">A team's <code>riskdesk serve</code> (or the risk platform itself): its address and an API key (<code>riskdesk keys create --user you@example.com</code> on the server prints one).</p>
      <div class="form">
        <div class="formrow">
          <label for="server-endpoint">Address</label>
          <input id="server-endpoint" value={endpoint.value} spellcheck={false} autocomplete="off" placeholder="http://riskdesk.team:8080"
            onInput={(e) => (endpoint.value = e.currentTarget.value)} />
        </div>
        <div class="formrow">
          <label for="server-key">API key</label>
          <input id="server-key" type="password" value={key.value} spellcheck={false} autocomplete="off" placeholder="rdk_…"
            onInput={(e) => (key.value = e.currentTarget.value)} />
        </div>
        <div class="formrow">
          <label for="server-name">Name</label>
          <input id="server-name" value={name.value} spellcheck={false} autocomplete="off" placeholder={nameFor(endpoint.value.trim()) || "Team server"}
            onInput={(e) => (name.value = e.currentTarget.value)} />
          <span class="muted">how the sidebar calls it</span>
        </div>
        <div class="actions left">
          <button id="test-connection" disabled={!ready || testing.pending.value} onClick={() => void test()}>Test connection</button>
          <button class="primary" id="connect-server" disabled={!ready || connecting.pending.value} onClick={() => void connectNew()}>Connect</button>
        </div>
        {check ? <p class="ok" id="test-result">{`Reachable: ${describe(check)}.`}</p> : null}
        <Outcome action={testing} id="test-connection" />
        <Outcome action={connecting} id="connect-server" />
        <p class="muted">The key is kept in the system keychain; where no keychain service runs, in a file of the home folder that only you can read. It is never shown again.</p>
      </div>
    </section>
  );
}

export function ConnectionScreen() {
  return (
    <main id="screen-connection">
      <h1>Connection</h1>
      <Current />
      <Saved />
      <AddServer />
    </main>
  );
}
