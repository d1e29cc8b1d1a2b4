// Peak resident memory of a server process during one scenario. On Linux: VmRSS from
// /proc/<pid>/status every 100 ms, plus VmHWM (the kernel's own peak) after resetting it
// through clear_refs at the start, so no spike between samples is missed. Elsewhere: `ps`.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const INTERVAL_MS = 100;

export class PeakRss {
  private peakKb = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly kernelPeakReset: boolean;

  constructor(private readonly pid: number) {
    this.kernelPeakReset = resetKernelPeak(pid);
    this.sample();
    this.timer = setInterval(() => this.sample(), INTERVAL_MS);
  }

  /** Stops sampling; the peak in bytes (0 when the process could not be read). */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    if (this.kernelPeakReset) this.record(readStatusKb(this.pid, 'VmHWM'));
    return this.peakKb * 1024;
  }

  private sample(): void {
    const kb = readStatusKb(this.pid, 'VmRSS');
    if (kb !== undefined) return this.record(kb);
    execFile('ps', ['-o', 'rss=', '-p', String(this.pid)], (error, stdout) => {
      if (!error) this.record(Number(stdout.trim()));
    });
  }

  private record(kb: number | undefined): void {
    if (kb !== undefined && Number.isFinite(kb)) this.peakKb = Math.max(this.peakKb, kb);
  }
}

/** Resident memory now, in bytes (0 when unknown). */
export function currentRss(pid: number): number {
  return (readStatusKb(pid, 'VmRSS') ?? 0) * 1024;
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+, own processes). */
function resetKernelPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
