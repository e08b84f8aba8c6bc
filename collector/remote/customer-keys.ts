import { randomBytes } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';

/**
 * SSH keys belong to a customer: the collector logs in to a customer's agentless hosts only with a key file
 * inside that customer's key folder, `<dataDir>/ssh-keys/<customer>/`. Put a file there on the collector
 * machine (and name it by file name or absolute path), or send the key's text through the API (`privateKey`),
 * which writes it there (0600). So nobody who can edit hosts, admin or not, can point customer A's host at
 * customer B's key, or at any other file the collector can read.
 */

/** Folder name for a customer: its id when that is a plain name, else a hex form that cannot climb out. */
export function customerKeyFolderName(customerId: string): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(customerId) ? customerId : `x-${Buffer.from(customerId, 'utf8').toString('hex')}`;
}

export function customerKeyDir(sshKeysDir: string, customerId: string): string {
  return join(sshKeysDir, customerKeyFolderName(customerId));
}

/**
 * The one answer for a key path that cannot be used, whatever the reason (no such file, another customer's
 * folder, a symlink out of the folder, unreadable, a folder): it must not tell a caller which files exist.
 */
export const KEY_REFUSED = {
  en: "keyPath: no usable SSH private key of this host's customer at that path; keys live in the collector's data folder under ssh-keys/<customer>/ (give a file name there, or send the key's text as privateKey)",
  zh: 'keyPath：该路径下没有此主机所属客户可用的 SSH 私钥；密钥存放在采集器数据目录的 ssh-keys/<客户>/ 下（填写其中的文件名，或以 privateKey 发送密钥内容）',
};

/**
 * The absolute path to store for a key path given for a customer's host, or undefined (answer KEY_REFUSED).
 * A bare file name is taken inside the customer's folder. The file must be a readable regular file whose real
 * path (symlinks followed) lies inside that folder.
 */
export function resolveCustomerKey(sshKeysDir: string, customerId: string, keyPath: string): string | undefined {
  const dir = customerKeyDir(sshKeysDir, customerId);
  const path = isAbsolute(keyPath) ? keyPath : keyPath === basename(keyPath) ? join(dir, keyPath) : undefined;
  if (!path) return undefined;
  return customerKeyUsable(sshKeysDir, customerId, path) ? path : undefined;
}

/** Whether a stored key path may be used for a customer's host now (checked again at each login). */
export function customerKeyUsable(sshKeysDir: string, customerId: string, path: string): boolean {
  try {
    const realDir = realpathSync(customerKeyDir(sshKeysDir, customerId));
    const real = realpathSync(path);
    if (!real.startsWith(realDir + sep) || !lstatSync(real).isFile()) return false;
    accessSync(real, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** PEM or OpenSSH private key text, nothing else (a public key or a random file is refused at once). */
export const PRIVATE_KEY_TEXT = /^-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----\s*$/;

/** Keys written from the API are named so; only these are removed by the collector when no host uses them. */
const UPLOADED_PREFIX = 'uploaded-';

/** Write a key sent through the API into the customer's folder (0700) as a new file (0600); its path. */
export function storeUploadedKey(sshKeysDir: string, customerId: string, keyText: string): string {
  const dir = customerKeyDir(sshKeysDir, customerId);
  mkdirSync(sshKeysDir, { recursive: true, mode: 0o700 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${UPLOADED_PREFIX}${randomBytes(8).toString('hex')}.key`);
  writeFileSync(path, keyText.endsWith('\n') ? keyText : `${keyText}\n`, { mode: 0o600, flag: 'wx' });
  return path;
}

/** Remove a key file the API wrote, once no host uses it any more; files put there by hand are left alone. */
export function removeUploadedKeyIfUnused(sshKeysDir: string, customerId: string, path: string, stillUsed: boolean): void {
  if (stillUsed || !basename(path).startsWith(UPLOADED_PREFIX) || dirname(path) !== customerKeyDir(sshKeysDir, customerId)) return;
  rmSync(path, { force: true });
}
