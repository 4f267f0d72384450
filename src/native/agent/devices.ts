/** The four Xen devices, opened once by the agent and kept open: mappings and bindings live as long as the fds. */
import { readFileSync, writeFileSync } from 'node:fs';
import { refused, unavailable } from '../../errors.js';
import { type Addon, asRefusal } from '../addon.js';
import { XEN_DEVICE_DIR } from '../paths.js';

export interface Devices {
  a: Addon;
  gntalloc: number;
  gntdev: number;
  evtchn: number;
  privcmd: number;
  close(): void;
}

export function openDevices(a: Addon): Devices {
  const opened: number[] = [];
  const open = (name: string, nonblock = false) => {
    try {
      const fd = a.open(`${XEN_DEVICE_DIR}/${name}`, nonblock);
      opened.push(fd);
      return fd;
    } catch (e) {
      for (const fd of opened) a.close(fd);
      throw unavailable('native', `cannot open ${XEN_DEVICE_DIR}/${name}: ${(e as Error).message}`);
    }
  };
  return {
    a,
    privcmd: open('privcmd'),
    gntalloc: open('gntalloc'),
    gntdev: open('gntdev'),
    evtchn: open('evtchn', true),
    close() {
      for (const fd of opened) a.close(fd);
    },
  };
}

/** The grant drivers' module parameters (/sys/module/xen_gnt{alloc,dev}/parameters/limit). */
const PARAM = { gntalloc: '/sys/module/xen_gntalloc/parameters/limit', gntdev: '/sys/module/xen_gntdev/parameters/limit' };
const DEFAULT = { gntalloc: 1024, gntdev: 65536 };

export function readLimit(which: keyof typeof PARAM): number {
  try {
    return Number(readFileSync(PARAM[which], 'utf8').trim());
  } catch {
    return DEFAULT[which];
  }
}

export function writeLimit(which: keyof typeof PARAM, value: number): void {
  try {
    writeFileSync(PARAM[which], `${value}\n`);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw err.code === 'EACCES' || err.code === 'EPERM'
      ? refused('EACCES', 'gnttab.limit', `cannot write ${PARAM[which]} (root only)`)
      : asRefusal(Object.assign(e as object, { errno: -(err.errno ?? -5) }), 'gnttab.limit');
  }
}
