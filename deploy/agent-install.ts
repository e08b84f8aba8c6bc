import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundleFile, type AgentBundle } from './bundle.js';
import type { ServiceKind } from './host-probe.js';
import { RemoteCommandError, shq, type RemoteShell } from './remote-shell.js';

/**
 * The install steps on one host, as shell run over SSH. Layout under installDir: the bundle's files
 * (patrol-agent.mjs, VERSION, unit, scripts), agent.json (0600), node-path, service-kind, ca.pem (0644, with
 * --ca-file); for the plain background service also state/, run/ and log/. Under systemd the state lives in
 * /var/lib/patrol-agent.
 */
export interface InstallTarget {
  installDir: string;
  nodePath: string;
  kind: ServiceKind;
  /** The SSH login user: owner of everything in background mode. */
  loginUser: string;
}

export interface AgentConfigFile {
  collector: string;
  enroll?: string;
  name: string;
  stateDir: string;
  /** The CA certificate of a collector with a private-CA certificate (caFileFor). */
  caFile?: string;
}

/** What deploy writes besides the bundle: agent.json, and the collector's CA certificate when one is given. */
export interface AgentSettings {
  config: Readonly<Record<string, unknown>>;
  /** PEM text for installDir/ca.pem. */
  caPem?: string;
}

/** Where deploy puts the collector's CA certificate (agent.json names it as caFile). */
export function caFileFor(installDir: string): string {
  return `${installDir}/ca.pem`;
}

const UNIT = '/etc/systemd/system/patrol-agent.service';
/** Files the bundle brings; an upgrade replaces exactly these. */
const BUNDLE_FILES = ['patrol-agent.mjs', 'VERSION', 'patrol-agent.service', 'agent.json.example', 'start.sh', 'stop.sh', 'uninstall.sh'];

export function stateDirFor(t: Pick<InstallTarget, 'installDir' | 'kind'>): string {
  return t.kind === 'systemd' ? '/var/lib/patrol-agent' : `${t.installDir}/state`;
}

/** Upload the tarball into a private temp folder on the host and unpack it there; returns the unpacked folder. */
async function uploadBundle(shell: RemoteShell, bundle: AgentBundle): Promise<{ staging: string; unpacked: string }> {
  const staging = (await shell.run('mktemp -d /tmp/patrol-deploy.XXXXXXXX', { what: 'creating an upload folder' })).trim();
  const remoteTar = `${staging}/${bundle.fileName}`;
  await shell.putFile(bundle.tarball, remoteTar);
  await shell.run(`tar -xzf ${shq(remoteTar)} -C ${shq(staging)} && chmod 755 ${shq(staging)}`, { what: 'unpacking the bundle' });
  return { staging, unpacked: `${staging}/${bundle.topFolder}` };
}

async function withStaging<T>(shell: RemoteShell, bundle: AgentBundle, fn: (unpacked: string, staging: string) => Promise<T>): Promise<T> {
  const { staging, unpacked } = await uploadBundle(shell, bundle);
  try {
    return await fn(unpacked, staging);
  } finally {
    // Root may have read from it; the login user made it and removes it.
    await shell.exec(`rm -rf ${shq(staging)}`);
  }
}

/** Write a small file through sftp to the staging folder, then into place with its mode (and owner). */
async function placeFile(shell: RemoteShell, staging: string, name: string, text: string, dest: string, mode: string, owner: string | undefined, root: boolean) {
  const local = mkdtempSync(join(tmpdir(), 'patrol-deploy-'));
  try {
    writeFileSync(join(local, name), text, { mode: 0o600 });
    await shell.putFile(join(local, name), `${staging}/${name}`);
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
  const own = owner ? ` -o ${shq(owner)} -g ${shq(owner)}` : '';
  await shell.run(`install -m ${mode}${own} ${shq(`${staging}/${name}`)} ${shq(dest)}`, { root, what: `writing ${dest}` });
}

function copyBundleFiles(unpacked: string, dir: string): string {
  // lib/ (the agent's code chunks, named by content hash) is replaced whole, so an upgrade leaves no old chunks.
  const lib = `rm -rf ${shq(`${dir}/lib`)} && cp -R ${shq(`${unpacked}/lib`)} ${shq(`${dir}/lib`)}`;
  return [...BUNDLE_FILES.map((f) => `cp -f ${shq(`${unpacked}/${f}`)} ${shq(`${dir}/${f}`)}`), lib].join(' && ');
}

/** The bundle's unit with this host's Node.js and install folder in place of the template's defaults. */
export function renderUnit(template: string, t: Pick<InstallTarget, 'nodePath' | 'installDir'>): string {
  return template
    .split('\n')
    .map((line) => {
      if (line.startsWith('ExecStart=')) return line.replaceAll('/usr/bin/node', t.nodePath).replaceAll('/opt/patrol-agent/', `${t.installDir}/`);
      // The secrets file (agent.env) lives in installDir too.
      if (line.startsWith('EnvironmentFile=')) return line.replaceAll('/opt/patrol-agent/', `${t.installDir}/`);
      return line;
    })
    .join('\n');
}

async function installUnit(shell: RemoteShell, bundle: AgentBundle, staging: string, t: InstallTarget): Promise<void> {
  const unit = renderUnit(readBundleFile(bundle, 'patrol-agent.service'), t);
  await placeFile(shell, staging, 'patrol-agent.service', unit, UNIT, '644', 'root', true);
  await shell.run('systemctl daemon-reload', { root: true, what: 'reloading systemd' });
}

/** Root is needed for systemd; background mode runs as the login user (sudo only to create installDir). */
async function prepareInstallDir(shell: RemoteShell, t: InstallTarget): Promise<void> {
  const d = shq(t.installDir);
  if (t.kind === 'systemd') {
    await shell.run(`mkdir -p ${d} && chmod 755 ${d}`, { root: true, what: `creating ${t.installDir}` });
    return;
  }
  const asUser = await shell.exec(`mkdir -p ${d} && test -w ${d}`);
  if (asUser.code === 0) return;
  if (!shell.canBeRoot) throw new Error(`cannot create ${t.installDir} as ${t.loginUser}: choose an installDir the user may write, or set sudo: true`);
  await shell.run(`mkdir -p ${d} && chown ${shq(t.loginUser)} ${d}`, { root: true, what: `creating ${t.installDir}` });
}

export async function startService(shell: RemoteShell, t: InstallTarget): Promise<void> {
  if (t.kind === 'systemd') {
    await shell.run('systemctl enable --now patrol-agent.service && systemctl restart patrol-agent.service', { root: true, what: 'starting the systemd service' });
    return;
  }
  const r = await shell.exec(shq(`${t.installDir}/start.sh`));
  if (r.code === 0) return;
  // start.sh prints the log's last lines when the agent exits at once; the agent's own sentence is the reason.
  const said = agentSentence(`${r.stdout}\n${r.stderr}`);
  throw new RemoteCommandError(`starting the agent failed: ${said ?? (r.stderr.trim().split('\n').slice(-3).join(' | ') || `start.sh exit ${r.code ?? 'signal'}`)}`);
}

/** The last line the agent's CLI wrote about why it stopped (`patrol-agent: ...`), from a piece of its log. */
export function agentSentence(log: string): string | undefined {
  const lines = log.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('patrol-agent: '));
  return lines.at(-1)?.slice(0, 400);
}

/** The end of the agent's log on the host (background: log/agent.log; systemd: the journal), for a failure's reason. */
export async function agentLogTail(shell: RemoteShell, t: Pick<InstallTarget, 'installDir' | 'kind'>): Promise<string> {
  const r =
    t.kind === 'systemd'
      ? await shell.exec('journalctl -u patrol-agent.service -n 40 --no-pager -o cat', { root: true })
      : await shell.exec(`tail -n 40 ${shq(`${t.installDir}/log/agent.log`)}`);
  return r.code === 0 ? r.stdout : '';
}

/** Whether the agent process runs now (systemd: the unit is active). */
export async function agentRunning(shell: RemoteShell, t: Pick<InstallTarget, 'installDir' | 'kind'>): Promise<boolean> {
  if (t.kind === 'systemd') return (await shell.exec('systemctl is-active --quiet patrol-agent.service')).code === 0;
  const pid = shq(`${t.installDir}/run/patrol-agent.pid`);
  return (await shell.exec(`[ -f ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null`)).code === 0;
}

export async function stopService(shell: RemoteShell, t: InstallTarget): Promise<void> {
  if (t.kind === 'systemd') {
    await shell.run('systemctl stop patrol-agent.service', { root: true, what: 'stopping the systemd service' });
  } else {
    await shell.run(`if [ -x ${shq(`${t.installDir}/stop.sh`)} ]; then ${shq(`${t.installDir}/stop.sh`)}; fi`, { what: 'stopping the agent' });
  }
}

/** A fresh install: files, config with the enrollment token (and the CA certificate), service, start. */
export async function installAgent(shell: RemoteShell, bundle: AgentBundle, t: InstallTarget, config: AgentConfigFile, caPem?: string): Promise<void> {
  const root = t.kind === 'systemd';
  await prepareInstallDir(shell, t);
  await withStaging(shell, bundle, async (unpacked, staging) => {
    const d = t.installDir;
    await shell.run(
      [
        copyBundleFiles(unpacked, d),
        `printf '%s\\n' ${shq(t.nodePath)} > ${shq(`${d}/node-path`)}`,
        `printf '%s\\n' ${shq(t.kind)} > ${shq(`${d}/service-kind`)}`,
        t.kind === 'background' ? `mkdir -p ${shq(`${d}/state`)} ${shq(`${d}/run`)} ${shq(`${d}/log`)} && chmod 700 ${shq(`${d}/state`)}` : 'true',
      ].join(' && '),
      { root, what: `installing into ${d}` },
    );
    if (t.kind === 'systemd') {
      // Its own unprivileged user, no login, no home.
      await shell.run('id patrol >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin patrol', {
        root: true,
        what: 'creating the patrol user',
      });
    }
    // 0600: the enrollment token (and the collector address) are for the agent's eyes only.
    await placeSettings(shell, staging, t, { config: { ...config }, caPem });
    if (t.kind === 'systemd') await installUnit(shell, bundle, staging, t);
  });
  await startService(shell, t);
}

/** agent.json, and ca.pem (0644: a certificate is public) when given, from a staging folder into place. */
async function placeSettings(shell: RemoteShell, staging: string, t: InstallTarget, s: AgentSettings): Promise<void> {
  const root = t.kind === 'systemd';
  if (s.caPem !== undefined) await placeFile(shell, staging, 'ca.pem', s.caPem, caFileFor(t.installDir), '644', root ? 'root' : undefined, root);
  await placeConfig(shell, staging, t, s.config);
}

/** agent.json (0600, the agent's user) from a staging folder into place. */
async function placeConfig(shell: RemoteShell, staging: string, t: InstallTarget, config: Readonly<Record<string, unknown>>): Promise<void> {
  const root = t.kind === 'systemd';
  await placeFile(shell, staging, 'agent.json', `${JSON.stringify(config, null, 2)}\n`, `${t.installDir}/agent.json`, '600', root ? 'patrol' : undefined, root);
}

/** The CA certificate deploy put on the host, or undefined. */
export async function readInstalledCa(shell: RemoteShell, installDir: string): Promise<string | undefined> {
  const r = await shell.exec(`cat ${shq(caFileFor(installDir))}`);
  return r.code === 0 ? r.stdout : undefined;
}

/**
 * Remove a stopped agent's credentials (its key was revoked: it enrolled into the wrong customer), so the next
 * start needs a fresh token. Under systemd the unit is also disabled, so a reboot does not start it meanwhile.
 */
export async function forgetEnrollment(shell: RemoteShell, t: InstallTarget, stateDir: string): Promise<void> {
  if (t.kind === 'systemd') await shell.run('systemctl disable patrol-agent.service', { root: true, what: 'disabling the systemd service' });
  await shell.run(`rm -f ${shq(`${stateDir}/credentials.json`)}`, { root: t.kind === 'systemd', what: 'removing the agent credentials' });
}

/**
 * Replace the bundle and restart; the state folder (agent key) and the spool stay. agent.json stays too,
 * unless `settings` are given (the collector moved, a new CA, a fresh token): then they are rewritten while the
 * agent is stopped.
 */
export async function upgradeAgent(shell: RemoteShell, bundle: AgentBundle, t: InstallTarget, settings?: AgentSettings): Promise<void> {
  const root = t.kind === 'systemd';
  await withStaging(shell, bundle, async (unpacked, staging) => {
    await stopService(shell, t);
    await shell.run(copyBundleFiles(unpacked, t.installDir), { root, what: `replacing the bundle in ${t.installDir}` });
    if (settings) await placeSettings(shell, staging, t, settings);
    if (t.kind === 'systemd') await installUnit(shell, bundle, staging, t);
  });
  await startService(shell, t);
}

/** Same version, new agent.json (the collector moved, a new CA, a fresh token): stop, rewrite, start. State and spool stay. */
export async function reconfigureAgent(shell: RemoteShell, t: InstallTarget, settings: AgentSettings): Promise<void> {
  const staging = (await shell.run('mktemp -d /tmp/patrol-deploy.XXXXXXXX', { what: 'creating an upload folder' })).trim();
  try {
    await shell.run(`chmod 755 ${shq(staging)}`, { what: 'preparing the upload folder' });
    await stopService(shell, t);
    await placeSettings(shell, staging, t, settings);
  } finally {
    await shell.exec(`rm -rf ${shq(staging)}`);
  }
  await startService(shell, t);
}

/**
 * Background mode: the login user's crontab starts the agent after a reboot and, every 5 minutes, again if it
 * died (start.sh --from-cron does nothing while it runs, or after a deliberate stop.sh). Three lines per
 * installDir: a marker comment and the two jobs. uninstall.sh removes them with the same filter (CRON_FILTER_AWK).
 */
export const CRON_NO_CRONTAB = 'no crontab: the agent will not restart after a reboot or a crash';

/** Drops the lines of one installDir (marker, and any line that runs its start.sh --from-cron); keeps every other line. */
export const CRON_FILTER_AWK =
  '$0 == ENVIRON["PATROL_CRON_MARK"] { next } { for (i = 1; i < NF; i++) if ($i == ENVIRON["PATROL_CRON_START"] && $(i + 1) == "--from-cron") next; print }';

/** The opposite of CRON_FILTER_AWK: only the lines of one installDir. */
const CRON_SELECT_AWK =
  '$0 == ENVIRON["PATROL_CRON_MARK"] { print; next } { for (i = 1; i < NF; i++) if ($i == ENVIRON["PATROL_CRON_START"] && $(i + 1) == "--from-cron") { print; next } }';

/** installDir as the inventory allows it: safe unquoted in a crontab line (no spaces, quotes, % or shell characters). */
const CRON_SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;

export function cronMarker(installDir: string): string {
  return `# patrol-agent ${installDir}`;
}

/** The crontab lines for one installDir: the marker, then @reboot and the 5-minute watchdog. */
export function cronLines(installDir: string): [marker: string, atReboot: string, watchdog: string] {
  if (!CRON_SAFE_PATH.test(installDir)) throw new Error(`${installDir} cannot go into a crontab line: use letters, digits and . _ - /`);
  const command = `${installDir}/start.sh --from-cron >/dev/null 2>&1`;
  return [cronMarker(installDir), `@reboot ${command}`, `*/5 * * * * ${command}`];
}

/**
 * The script that puts this installDir's lines into the login user's crontab. When they are there as they
 * should be, nothing is written; otherwise any lines of this installDir go and the three go at the end. Every
 * other line stays as it is. Prints `no-crontab`, `unchanged` or `written`; fails when `crontab` refuses
 * (another error than "no crontab for user").
 */
export function cronSetupScript(installDir: string): string {
  const [mark, ...jobs] = cronLines(installDir);
  return [
    'command -v crontab >/dev/null 2>&1 || { echo no-crontab; exit 0; }',
    'if OLD=$(crontab -l 2>/dev/null); then :; else',
    '  ERR=$(crontab -l 2>&1 >/dev/null || true)',
    // Debian/cronie: "no crontab for USER"; BusyBox: "can't open 'USER': No such file or directory".
    '  case "$ERR" in *"no crontab"* | *"No such file"*) OLD= ;; *) echo "crontab -l: $ERR" >&2; exit 1 ;; esac',
    'fi',
    `PATROL_CRON_MARK=${shq(mark)} PATROL_CRON_START=${shq(`${installDir}/start.sh`)}`,
    'export PATROL_CRON_MARK PATROL_CRON_START',
    `WANT=$(printf '%s\\n' ${[mark, ...jobs].map(shq).join(' ')})`,
    `HAVE=$(printf '%s\\n' "$OLD" | awk ${shq(CRON_SELECT_AWK)})`,
    'if [ "$HAVE" = "$WANT" ]; then echo unchanged; exit 0; fi',
    `KEEP=$(printf '%s\\n' "$OLD" | awk ${shq(CRON_FILTER_AWK)})`,
    `if [ -n "$KEEP" ]; then NEW=$(printf '%s\\n' "$KEEP" "$WANT"); else NEW=$WANT; fi`,
    `printf '%s\\n' "$NEW" | crontab - && echo written`,
  ].join('\n');
}

/**
 * Make sure the login user's crontab holds this installDir's lines (background mode only). Returns a note for
 * the result table when it cannot (no crontab on the host, or crontab refuses): the agent runs all the same.
 */
export async function ensureCronLines(shell: RemoteShell, t: Pick<InstallTarget, 'installDir' | 'kind'>): Promise<{ note?: string; changed: boolean }> {
  if (t.kind !== 'background') return { changed: false };
  const r = await shell.exec(cronSetupScript(t.installDir));
  const out = r.stdout.trim();
  if (r.code === 0 && out === 'no-crontab') return { note: CRON_NO_CRONTAB, changed: false };
  if (r.code === 0 && (out === 'unchanged' || out === 'written')) return { changed: out === 'written' };
  const detail = (r.stderr.trim() || out || `exit ${r.code ?? 'signal'}`).split('\n')[0];
  return { note: `crontab not updated (${detail}): the agent will not restart after a reboot or a crash`, changed: false };
}

/**
 * Stop and remove everything the install put there (uninstall.sh from the bundle does the work). Returns a
 * note when installDir had to stay because it holds files that are not ours.
 */
export async function uninstallAgent(shell: RemoteShell, installDir: string, kind: ServiceKind | undefined): Promise<string | undefined> {
  const d = shq(installDir);
  await shell.run(`${shq(`${installDir}/uninstall.sh`)} >/dev/null`, { root: kind === 'systemd', what: 'uninstalling' });
  if ((await shell.exec(`test -e ${d}`)).code !== 0) return undefined;
  const ls = await shell.exec(`ls -A ${d}`);
  const left = ls.stdout.trim().split('\n').filter(Boolean);
  // An empty folder the login user cannot remove (e.g. /opt/patrol-agent made with sudo).
  if (!left.length && shell.canBeRoot) {
    await shell.run(`rmdir ${d}`, { root: true, what: `removing ${installDir}` });
    return undefined;
  }
  return left.length ? `${installDir} kept: it holds files not installed by Patrol (${left.join(', ')})` : `${installDir} is empty but could not be removed`;
}
