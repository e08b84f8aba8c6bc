import { describe, expect, test } from 'vitest';
import { parsePerfdata, parsePluginOutput, parseThreshold } from '../../../checks/script/perfdata.js';

// Samples printed by Debian's monitoring-plugins-basic on this machine (2026-11-25).
const CHECK_DISK = 'DISK OK - free space: / 80467MiB (77% inode=97%);| /=24567087104B;216442024755;243497277849;0;270552530944';
const CHECK_LOAD = 'LOAD OK - total load average: 0.70, 0.47, 0.29|load1=0.700;5.000;10.000;0; load5=0.470;4.000;8.000;0; load15=0.290;3.000;6.000;0; ';
const CHECK_SWAP = 'SWAP CRITICAL - 0% free (0MB out of 0MB) - Swap is either disabled, not present, or of zero size. |swap=0B;0;0;0;0';
const CHECK_PROCS = 'PROCS OK: 71 processes | procs=71;;;0;';
// check_http / check_ping style (from the monitoring-plugins test suite's expected output).
const CHECK_HTTP = 'HTTP OK: HTTP/1.1 200 OK - 612 bytes in 0.001 second response time |time=0.000795s;;;0.000000;10.000000 size=612B;;;0';
const CHECK_PING = 'PING OK - Packet loss = 0%, RTA = 0.05 ms|rta=0.052000ms;100.000000;500.000000;0.000000 pl=0%;20;60;0';

describe('perfdata from real plugin output', () => {
  test('check_disk: byte value with warn, crit, min, max', () => {
    const out = parsePluginOutput(CHECK_DISK);
    expect(out.summary).toBe('DISK OK - free space: / 80467MiB (77% inode=97%);');
    expect(out.perfdata).toEqual([
      { label: '/', value: 24567087104, unit: 'B', rawUnit: 'B', warn: 216442024755, crit: 243497277849, min: 0, max: 270552530944 },
    ]);
    expect(out.badPerfdata).toEqual([]);
  });

  test('check_load: three unitless items, empty max, trailing blank', () => {
    const out = parsePluginOutput(CHECK_LOAD);
    expect(out.perfdata.map((p) => [p.label, p.value, p.warn, p.crit, p.min, p.max])).toEqual([
      ['load1', 0.7, 5, 10, 0, null],
      ['load5', 0.47, 4, 8, 0, null],
      ['load15', 0.29, 3, 6, 0, null],
    ]);
  });

  test('check_swap and check_procs: zeros are values, empty fields are null', () => {
    expect(parsePluginOutput(CHECK_SWAP).perfdata[0]).toMatchObject({ label: 'swap', value: 0, unit: 'B', warn: 0, max: 0 });
    expect(parsePluginOutput(CHECK_PROCS).perfdata[0]).toMatchObject({ label: 'procs', value: 71, warn: null, crit: null, min: 0, max: null });
  });

  test('seconds and milliseconds both become seconds; percent stays percent', () => {
    const http = parsePluginOutput(CHECK_HTTP).perfdata;
    expect(http[0]).toMatchObject({ label: 'time', unit: 's', value: 0.000795, min: 0, max: 10 });
    expect(http[1]).toMatchObject({ label: 'size', unit: 'B', value: 612 });
    const ping = parsePluginOutput(CHECK_PING).perfdata;
    expect(ping[0]!.unit).toBe('s');
    expect(ping[0]!.value).toBeCloseTo(0.000052, 9);
    expect(ping[0]!.warn).toBeCloseTo(0.1, 9);
    expect(ping[0]!.crit).toBeCloseTo(0.5, 9);
    expect(ping[1]).toMatchObject({ label: 'pl', unit: '%', value: 0, warn: 20, crit: 60 });
  });
});

describe('perfdata syntax', () => {
  test('quoted labels with spaces and an escaped quote', () => {
    const { items, bad } = parsePerfdata("'C:\\ used space'=12.5GB;20;25;0;40 'it''s'=3c");
    expect(bad).toEqual([]);
    expect(items[0]).toMatchObject({ label: 'C:\\ used space', value: 12.5 * 1024 ** 3, unit: 'B', warn: 20 * 1024 ** 3 });
    expect(items[1]).toMatchObject({ label: "it's", value: 3, unit: 'c' });
  });

  test('KB, MB and TB are binary multiples; us is microseconds', () => {
    const { items } = parsePerfdata('a=2KB b=3MB c=1TB d=250us e=1.5ms');
    expect(items.map((i) => i.value)).toEqual([2048, 3 * 1024 ** 2, 1024 ** 4, 0.00025, 0.0015]);
    expect(items.map((i) => i.unit)).toEqual(['B', 'B', 'B', 's', 's']);
  });

  test('U is an undetermined value; an unknown unit is kept as printed', () => {
    const { items } = parsePerfdata('temp=Ucelsius;30;40 fan=1200rpm');
    expect(items[0]).toMatchObject({ value: null, unit: 'celsius', warn: 30, crit: 40 });
    expect(items[1]).toMatchObject({ value: 1200, unit: 'rpm' });
  });

  test('broken items are reported and do not hide good ones', () => {
    const { items, bad } = parsePerfdata('good=1 novalue= =5 junk ok2=-3.5e2');
    expect(items.map((i) => [i.label, i.value])).toEqual([['good', 1], ['ok2', -350]]);
    expect(bad).toEqual(['novalue=', '=5', 'junk']);
  });

  test('Nagios ranges keep the bound crossed first', () => {
    expect(parseThreshold('10')).toBe(10);
    expect(parseThreshold('10:')).toBe(10);
    expect(parseThreshold('~:20')).toBe(20);
    expect(parseThreshold('@5:15')).toBe(15);
    expect(parseThreshold('')).toBeNull();
    expect(parseThreshold(undefined)).toBeNull();
  });

  test('multi-line output: long text goes to longOutput, perfdata continues on later lines', () => {
    const out = parsePluginOutput(
      ['DISK OK - 2 mounts | /=10MB;;;0;100', 'mount / is fine', 'mount /var is fine | /var=20MB;80;90', "'/var/log'=5MB", 'tmp=1%', ''].join('\n'),
    );
    expect(out.summary).toBe('DISK OK - 2 mounts');
    expect(out.longOutput).toBe('mount / is fine\nmount /var is fine');
    expect(out.perfdata.map((p) => [p.label, p.value])).toEqual([
      ['/', 10 * 1024 ** 2],
      ['/var', 20 * 1024 ** 2],
      ['/var/log', 5 * 1024 ** 2],
      ['tmp', 1],
    ]);
  });

  test('output without perfdata', () => {
    const out = parsePluginOutput('connect to address 127.0.0.1 and port 1: Connection refused\n');
    expect(out).toEqual({ summary: 'connect to address 127.0.0.1 and port 1: Connection refused', longOutput: '', perfdata: [], badPerfdata: [] });
  });
});
