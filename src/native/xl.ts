/** `domain list` on a Xen host: the toolstack knows the domains (`xl list -l`), not the devices. */
import { refused, unavailable } from '../errors.js';
import { importEsm } from '../import-esm.js';
import type { DomainInfo, DomainType } from '../backend/types.js';

interface XlDomain {
  domid: number;
  config?: { c_info?: { name?: string; type?: string }; b_info?: { max_vcpus?: number; target_memkb?: number; type?: { hvm?: { hap?: string } } } };
}

export async function listXlDomains(): Promise<DomainInfo[]> {
  let out: string;
  try {
    const { execa } = await importEsm<typeof import('execa')>('execa'); // only here: execa is many files to load
    out = (await execa('xl', ['list', '-l'], { timeout: 30000 })).stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; exitCode?: number };
    if (err.code === 'ENOENT') throw unavailable('domain.list', 'no toolstack here: xl is not installed (domain list reads xl list -l)');
    throw refused('EIO', 'domain.list', `xl list -l failed: ${(err.stderr ?? '').trim().split('\n')[0] || `exit ${err.exitCode}`}`);
  }
  let doms: XlDomain[];
  try {
    doms = JSON.parse(out) as XlDomain[];
  } catch {
    throw refused('EIO', 'domain.list', 'xl list -l did not print JSON');
  }
  return doms.map((d) => {
    const type = (d.config?.c_info?.type ?? 'pv') as DomainType;
    return {
      domid: d.domid,
      name: d.config?.c_info?.name ?? `domain-${d.domid}`,
      type,
      hap: type !== 'pv' && d.config?.b_info?.type?.hvm?.hap !== 'False',
      memory_kb: d.config?.b_info?.target_memkb ?? 0,
      vcpus: d.config?.b_info?.max_vcpus ?? 1,
      state: 'running' as const,
    };
  });
}
