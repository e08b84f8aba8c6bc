import type { CheckDefinition } from './define.js';
import dbPostgres from './database/postgres.js';
import dbMysql from './database/mysql.js';
import dbRedis from './database/redis.js';
import networkSnmp from './network/snmp-device.js';
import cpu from './system/cpu.js';
import memory from './system/memory.js';
import disk from './system/disk.js';
import network from './system/network.js';
import uptime from './system/uptime.js';
import scriptNagios from './script/nagios.js';
import systemProcess from './system/process.js';
import systemService from './system/service.js';
import systemListeningPorts from './system/listening-ports.js';
import systemClock from './system/clock.js';
import systemFile from './system/file.js';
import systemLogPattern from './system/log-pattern.js';
import systemFds from './system/fds.js';
import systemZombies from './system/zombies.js';
import systemInventory from './system/inventory.js';
import networkPing from './network/ping.js';
import networkTcp from './network/tcp.js';
import networkHttp from './network/http.js';
import networkDns from './network/dns.js';

/** Every check Patrol knows, by id. Adding a check means adding its file and one line here. */
export const CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(
  ([
    cpu, memory, disk, network, uptime,
    scriptNagios,
    systemProcess,
    systemService,
    systemListeningPorts,
    systemClock,
    systemFile,
    systemLogPattern,
    systemFds,
    systemZombies,
    systemInventory,
    networkPing,
    networkTcp,
    networkHttp,
    networkDns,
    dbPostgres,
    dbMysql,
    dbRedis,
    networkSnmp,
  ] as CheckDefinition[]).map((c) => [c.id, c]),
);

export function findCheck(id: string): CheckDefinition | undefined {
  return CHECKS.get(id);
}
