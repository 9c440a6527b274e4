import type { CgroupStats, Pressure, PressureLine } from '../model/stats.js';

function pressureText(name: string, pressure: Pressure | undefined): string {
  if (pressure === undefined) return `${name} pressure: absent\n`;
  const line = (kind: string, value: PressureLine) =>
    `${name} pressure ${kind}: avg10=${value.avg10.toFixed(2)} avg60=${value.avg60.toFixed(2)} avg300=${value.avg300.toFixed(2)} total=${value.totalUsec}us\n`;
  return line('some', pressure.some) + (pressure.full === undefined ? '' : line('full', pressure.full));
}

/**
 * Formats stats for a terminal, one fact per line; absent files are shown as `absent`.
 *
 * @example
 * ```ts
 * formatCgroupStats({ path: '/sys/fs/cgroup/unified/vtc-a', pressure: {} });
 * // 'cgroup /sys/fs/cgroup/unified/vtc-a\npopulated: absent\n...'
 * ```
 */
export function formatCgroupStats(stats: CgroupStats): string {
  const absent = 'absent';
  const number = (value: number | undefined, unit = '') => (value === undefined ? absent : `${value}${unit}`);
  let text = `cgroup ${stats.path}\n`;
  text += `populated: ${stats.events === undefined ? absent : stats.events.populated ? 'yes' : 'no'}\n`;
  text += `frozen: ${stats.events === undefined ? absent : stats.events.frozen ? 'yes' : 'no'}\n`;
  text += `descendants: ${number(stats.cgroup?.nrDescendants)} (dying: ${number(stats.cgroup?.nrDyingDescendants)})\n`;
  text += `memory current: ${number(stats.memoryCurrent, ' bytes')}\n`;
  text += `memory peak: ${number(stats.memoryPeak, ' bytes')}\n`;
  const events = stats.memoryEvents;
  text += `memory events: ${events === undefined ? absent : `low=${events.low} high=${events.high} max=${events.max} oom=${events.oom} oom_kill=${events.oomKill}`}\n`;
  const cpu = stats.cpu;
  text += `cpu: ${cpu === undefined ? absent : `usage=${cpu.usageUsec}us user=${cpu.userUsec}us system=${cpu.systemUsec}us`}`;
  if (cpu?.nrThrottled !== undefined)
    text += ` throttled=${cpu.nrThrottled}/${cpu.nrPeriods ?? 0} (${cpu.throttledUsec ?? 0}us)`;
  text += `\npids current: ${number(stats.pidsCurrent)}\n`;
  if (stats.io === undefined) text += `io: ${absent}\n`;
  else if (stats.io.length === 0) text += 'io: no traffic\n';
  else
    for (const entry of stats.io)
      text += `io ${entry.major}:${entry.minor}: rbytes=${entry.rbytes} wbytes=${entry.wbytes} rios=${entry.rios} wios=${entry.wios}\n`;
  text += pressureText('cpu', stats.pressure.cpu);
  text += pressureText('memory', stats.pressure.memory);
  text += pressureText('io', stats.pressure.io);
  return text;
}
