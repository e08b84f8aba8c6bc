import type * as snmp from 'snmp-native';

/**
 * How a poll asks a device for many values in few packets. snmp-native's own getSubtree sends one GetNext per
 * value (a 48-port switch's ifTable and ifXTable alone are ~2,000 round trips); here a table column is walked
 * with GetBulk, and the values of chosen rows come by GET with up to 16 OIDs per packet (snmp-native's getAll).
 */

/** RFC 3416 GetBulkRequest-PDU tag; snmp-native encodes any PDU type it is given but names only four. */
const GET_BULK_PDU = 5;
/** Rows asked per GetBulk: 25 varbinds of an index column (~22 bytes each) or of an OID column (~35 bytes)
 * stay under a 1,472-byte datagram (Ethernet MTU minus IP and UDP headers), so nothing is fragmented. */
const BULK_REPETITIONS = 25;
/** snmp-native's getAll packs 16 OIDs per GET; ~16 x 40 bytes of answer, well under the same datagram. */
const OIDS_PER_GET = 16;

/** The untyped part of snmp-native used for GetBulk: `sendMsg` with a packet built by hand ("can be used after
 * manually constructing a correct Packet structure", lib/snmp.js). The encoder writes `error` and `errorIndex`
 * as the INTEGERs that GetBulk reads as non-repeaters and max-repetitions, so no BER is written here. */
interface PacketSender {
  sendMsg(
    pkt: { version: 1; community: string; pdu: { type: number; reqid: number; error: number; errorIndex: number; varbinds: Array<{ oid: number[]; type: number; value: null }> } },
    options: Record<string, unknown>,
    callback: snmp.ResponseCallback,
  ): void;
}

function oidString(oid: number[]): string {
  return '.' + oid.join('.');
}

function parseOid(oid: string): number[] {
  return oid.split('.').filter(Boolean).map(Number);
}

/** SNMPv2 exceptions and empty values: "the device has no such thing here". */
function isNoValue(v: snmp.VarBind): boolean {
  return v.value === 'noSuchObject' || v.value === 'noSuchInstance' || v.value === 'endOfMibView' || v.value === null;
}

/**
 * GET of many OIDs: answers by OID string (the exceptions noSuchObject/noSuchInstance left out). Packets of
 * 16 OIDs, one after another (a device is never flooded); a packet the device calls tooBig (long ifAlias or
 * ifDescr strings on a device with a small message size) is asked again in halves, and later packets stay that small.
 */
export async function getMany(session: snmp.Session, oids: string[]): Promise<Map<string, snmp.VarBind>> {
  const answers = new Map<string, snmp.VarBind>();
  let perGet = OIDS_PER_GET;
  for (let i = 0; i < oids.length; ) {
    const chunk = oids.slice(i, i + perGet);
    try {
      for (const v of await getAll(session, chunk)) if (!isNoValue(v)) answers.set(oidString(v.oid), v);
      i += chunk.length;
    } catch (err) {
      if ((err as Error).message !== 'TooBig' || chunk.length === 1) throw err;
      // Smaller packets from here on: the next chunk would be as big.
      perGet = Math.ceil(chunk.length / 2);
    }
  }
  return answers;
}

/**
 * Every row of one table column, in OID order, with GetBulk (one request per 25 rows). An agent that refuses
 * GetBulk with an error is walked with GetNext instead; a tooBig answer halves the rows asked. A timeout is
 * not a refusal (the device stopped answering) and is passed on.
 */
export async function walkColumn(session: snmp.Session, columnOid: string): Promise<snmp.VarBind[]> {
  const root = parseOid(columnOid);
  const rows: snmp.VarBind[] = [];
  let from = root;
  let repetitions = BULK_REPETITIONS;
  for (;;) {
    let answer: snmp.VarBind[];
    try {
      answer = await getBulk(session, from, repetitions);
    } catch (err) {
      const message = (err as Error).message;
      if (message === 'TooBig' && repetitions > 1) {
        repetitions = Math.ceil(repetitions / 2);
        continue;
      }
      if (/timeout|cancelled/i.test(message)) throw err;
      return walkWithGetNext(session, columnOid);
    }
    if (answer.length === 0) return rows;
    for (const v of answer) {
      if (!inSubtree(root, v.oid) || isEndOfView(v)) return rows;
      if (compareOid(v.oid, from) <= 0) throw new Error(`OID not increasing at ${oidString(v.oid)} (broken SNMP agent)`);
      rows.push(v);
      from = v.oid;
    }
  }
}

function getAll(session: snmp.Session, oids: string[]): Promise<snmp.VarBind[]> {
  // abortOnError: without it snmp-native swallows a timeout and answers an empty list.
  return new Promise((resolve, reject) => session.getAll({ oids, abortOnError: true }, (err, vbs) => (err ? reject(err) : resolve(vbs))));
}

function getBulk(session: snmp.Session, from: number[], maxRepetitions: number): Promise<snmp.VarBind[]> {
  const pdu = { type: GET_BULK_PDU, reqid: 0, error: 0, errorIndex: maxRepetitions, varbinds: [{ oid: from, type: 5, value: null }] };
  return new Promise((resolve, reject) =>
    (session as unknown as PacketSender).sendMsg({ version: 1, community: String(session.options.community), pdu }, {}, (err, vbs) => (err ? reject(err) : resolve(vbs ?? []))),
  );
}

function walkWithGetNext(session: snmp.Session, oid: string): Promise<snmp.VarBind[]> {
  return new Promise((resolve, reject) => session.getSubtree({ oid }, (err, vbs) => (err ? reject(err) : resolve(vbs ?? []))));
}

function isEndOfView(v: snmp.VarBind): boolean {
  return v.value === 'endOfMibView' || v.value === 'noSuchObject' || v.value === 'noSuchInstance';
}

function inSubtree(root: number[], oid: number[]): boolean {
  return oid.length > root.length && root.every((n, i) => oid[i] === n);
}

function compareOid(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
