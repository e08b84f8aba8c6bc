import { createSocket, type RemoteInfo } from 'node:dgram';
import { encode, parse } from 'snmp-native';

/** PDU tags (RFC 3416) as they appear in requests; snmp-native's PduTypes lacks GetBulk. */
const PDU_NAMES: Record<number, string> = { 0: 'get', 1: 'getNext', 5: 'getBulk' };
const GET_BULK = 5;
const RESPONSE = 2;
const TOO_BIG = 1;
const GEN_ERR = 5;

export interface SnmpRelayOptions {
  /** Hold each request this long before passing it on, as a slow switch would. */
  delayMs?: number;
  /** Answer every GetBulk with genErr, as an agent without GetBulk support does. */
  refuseBulk?: boolean;
  /** Answer tooBig to a GET with more OIDs, or a GetBulk asking more rows, than this (a small message size). */
  maxVarbinds?: number;
}

export interface SnmpRelay {
  host: string;
  port: number;
  /** Requests seen since the last reset(), by PDU type (retransmissions count too: each costs the device). */
  requests: { total: number; get: number; getNext: number; getBulk: number; other: number; varbinds: number };
  /** Largest answer from the agent, in bytes (to see how close a poll comes to a typical 1,472-byte datagram). */
  largestAnswerBytes: number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A UDP relay between the check and a real snmpd that counts what the check asks: the figure that decides how
 * long a poll takes on a device that needs 5-20 ms per request. `delayMs` holds each request that long first,
 * as a slow switch would.
 */
export async function startSnmpRelay(target: { host: string; port: number }, opts: SnmpRelayOptions = {}): Promise<SnmpRelay> {
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  let client: RemoteInfo | undefined;
  const relay: SnmpRelay = {
    host: '127.0.0.1',
    port: 0,
    requests: { total: 0, get: 0, getNext: 0, getBulk: 0, other: 0, varbinds: 0 },
    largestAnswerBytes: 0,
    reset() {
      relay.requests = { total: 0, get: 0, getNext: 0, getBulk: 0, other: 0, varbinds: 0 };
      relay.largestAnswerBytes = 0;
    },
    close: () => new Promise<void>((resolve) => front.close(() => back.close(() => resolve()))),
  };
  front.on('message', (msg, rinfo) => {
    client = rinfo;
    const pkt = parse(msg);
    const pdu = pkt.pdu;
    const kind = PDU_NAMES[pdu.type] as 'get' | 'getNext' | 'getBulk' | undefined;
    relay.requests.total += 1;
    relay.requests[kind ?? 'other'] += 1;
    relay.requests.varbinds += pdu.varbinds.length;
    // A GetBulk request carries max-repetitions where other PDUs have the error index.
    const asked = pdu.type === GET_BULK ? pdu.errorIndex : pdu.varbinds.length;
    const refusal = opts.refuseBulk && pdu.type === GET_BULK ? GEN_ERR : opts.maxVarbinds !== undefined && asked > opts.maxVarbinds ? TOO_BIG : 0;
    if (refusal) {
      const answer = encode({ ...pkt, pdu: { ...pdu, type: RESPONSE, error: refusal, errorIndex: 0 } });
      front.send(answer, rinfo.port, rinfo.address);
      return;
    }
    const forward = () => back.send(msg, target.port, target.host);
    if (opts.delayMs) setTimeout(forward, opts.delayMs);
    else forward();
  });
  back.on('message', (msg) => {
    relay.largestAnswerBytes = Math.max(relay.largestAnswerBytes, msg.length);
    if (client) front.send(msg, client.port, client.address);
  });
  await new Promise<void>((resolve) => back.bind(0, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', () => resolve()));
  relay.port = front.address().port;
  return relay;
}
