/**
 * The emulator's Xen rules on their own, without a state file (src/emu/rules): the numbers and
 * orders XEN-FACTS gives, each checked where it bites.
 */
import { describe, expect, it } from '@jest/globals';
import { copyRefusal, type CopyAttempt, inUse, mapRefusal, takeRef, type MapAttempt } from '../../src/emu/rules/grant-table.js';
import { fits, gapAfter, placeByWalk } from '../../src/emu/rules/gntdev.js';
import {
  channelCount, interdomainRefusal, lowestFreePort, onRaise, onUnmask, portAllowed, sendTarget, virqRefusal,
} from '../../src/emu/rules/evtchn.js';
import {
  GNTST_BAD_COPY_ARG, GNTST_BAD_DOMAIN, GNTST_BAD_GNTREF, GNTST_BAD_PAGE, GNTST_GENERAL_ERROR, GNTST_NO_SPACE, MAPTRACK_ENTRIES,
} from '../../src/xen.js';

describe('grant refs (Linux grant-table.c over Xen\'s table)', () => {
  it('reuses the most recently freed ref first', () => {
    expect(takeRef({ freeTop: 42, nextUnused: 100, nrFrames: 1, maxFrames: 64 })).toEqual({ ref: 42, reused: true, nrFrames: 1 });
  });

  it('hands out refs never used in order, growing the table a frame at a time, up to its maximum', () => {
    expect(takeRef({ freeTop: undefined, nextUnused: 8, nrFrames: 1, maxFrames: 64 })).toEqual({ ref: 8, reused: false, nrFrames: 1 });
    expect(takeRef({ freeTop: undefined, nextUnused: 511, nrFrames: 1, maxFrames: 64 })).toEqual({ ref: 511, reused: false, nrFrames: 1 });
    expect(takeRef({ freeTop: undefined, nextUnused: 512, nrFrames: 1, maxFrames: 64 })).toEqual({ ref: 512, reused: false, nrFrames: 2 });
    expect(takeRef({ freeTop: undefined, nextUnused: 1024, nrFrames: 2, maxFrames: 2 })).toBe('full');
  });
});

describe('map_grant_ref checks, in Xen\'s order (XEN-FACTS D.6)', () => {
  const ok: MapAttempt = {
    mapper: 1, granterId: 0, granter: { domid: 0, nrFrames: 1 }, ref: 8, maptrackInUse: 0, readonly: false,
    entry: { flags: 0x1, to: 1, pinRead: 0, pinWrite: 0 },
  };

  it('maps a ref granted to the mapper', () => {
    expect(mapRefusal(ok)).toBeUndefined();
    expect(mapRefusal({ ...ok, readonly: true, entry: { ...ok.entry!, flags: 0x5 } })).toBeUndefined();
  });

  it('reports the first check that fails when several would', () => {
    const everythingWrong: MapAttempt = {
      ...ok, granter: undefined, maptrackInUse: MAPTRACK_ENTRIES, ref: 600, entry: { flags: 0x5, to: 2, pinRead: 128, pinWrite: 0 },
    };
    const steps: [Partial<MapAttempt>, number, RegExp][] = [
      [{}, GNTST_BAD_DOMAIN, /bad_domain/],
      [{ granter: ok.granter }, GNTST_NO_SPACE, /no free maptrack/],
      [{ granter: ok.granter, maptrackInUse: 0 }, GNTST_BAD_GNTREF, /beyond domain 0's grant table \(512 entries\)/],
      [{ granter: ok.granter, maptrackInUse: 0, ref: 8 }, GNTST_GENERAL_ERROR, /pin count would overflow/],
    ];
    for (const [fix, gntst, why] of steps) {
      const r = mapRefusal({ ...everythingWrong, ...fix });
      expect(r?.gntst).toBe(gntst);
      expect(r?.why).toMatch(why);
    }
  });

  it('refuses an entry not granted, granted to another domain, or read-only for a writable map — in that order', () => {
    expect(mapRefusal({ ...ok, entry: undefined })?.why).toMatch(/is not granted/);
    expect(mapRefusal({ ...ok, entry: { ...ok.entry!, flags: 0x0, to: 2 } })?.why).toMatch(/is not granted/);
    expect(mapRefusal({ ...ok, entry: { ...ok.entry!, to: 2, flags: 0x5 } })?.why).toMatch(/granted to domain 2, not 1/);
    expect(mapRefusal({ ...ok, entry: { ...ok.entry!, flags: 0x5 } })?.why).toMatch(/read-only/);
  });

  it('shows GTF_reading/GTF_writing from the pins', () => {
    expect([inUse({ pin_read: 0, pin_write: 0 }), inUse({ pin_read: 2, pin_write: 0 }), inUse({ pin_read: 1, pin_write: 1 })])
      .toEqual(['-', 'r', 'rw']);
  });
});

describe('copy checks, in Xen\'s order (XEN-FACTS D.8)', () => {
  const ok: CopyAttempt = {
    copier: 0, granterId: 1, granter: { domid: 1, nrFrames: 1 }, ref: 8, intoGrant: true, offset: 0, length: 16, badFrame: false,
    entry: { flags: 0x1, to: 0, pinRead: 0, pinWrite: 0 },
  };

  it('copies through a ref granted to the copier, out of a read-only one too', () => {
    expect(copyRefusal(ok)).toBeUndefined();
    expect(copyRefusal({ ...ok, intoGrant: false, entry: { ...ok.entry!, flags: 0x5 } })).toBeUndefined();
    expect(copyRefusal({ ...ok, offset: 4080, length: 16 })).toBeUndefined(); // up to the page's end
  });

  it('does nothing for an empty copy, whatever else is wrong', () => {
    expect(copyRefusal({ ...ok, length: 0, granter: undefined, offset: 9000 })).toBeUndefined();
  });

  it('reports the first check that fails: domain, ref, entry, frame, then the page bounds', () => {
    const everythingWrong: CopyAttempt = {
      ...ok, granter: undefined, ref: 600, entry: { flags: 0x5, to: 2, pinRead: 0, pinWrite: 0 }, badFrame: true, offset: 4000, length: 200,
    };
    const steps: [Partial<CopyAttempt>, number, RegExp][] = [
      [{}, GNTST_BAD_DOMAIN, /bad_domain/],
      [{ granter: ok.granter }, GNTST_BAD_GNTREF, /beyond domain 1's grant table/],
      [{ granter: ok.granter, ref: 8, entry: undefined }, GNTST_GENERAL_ERROR, /is not granted/],
      [{ granter: ok.granter, ref: 8 }, GNTST_GENERAL_ERROR, /granted to domain 2, not 0/],
      [{ granter: ok.granter, ref: 8, entry: { ...ok.entry!, flags: 0x5 } }, GNTST_GENERAL_ERROR, /read-only and cannot be copied into/],
      [{ granter: ok.granter, ref: 8, entry: ok.entry }, GNTST_BAD_PAGE, /bad_page/],
      [{ granter: ok.granter, ref: 8, entry: ok.entry, badFrame: false }, GNTST_BAD_COPY_ARG, /offset 4000 \+ length 200 crosses the page/],
    ];
    for (const [fix, gntst, why] of steps) {
      const r = copyRefusal({ ...everythingWrong, ...fix });
      expect(r?.gntst).toBe(gntst);
      expect(r?.why).toMatch(why);
    }
  });
});

describe('gntdev placement (gntdev_add_map)', () => {
  it('skips a gap of exactly the request\'s size, takes a larger one, and goes after the last map otherwise', () => {
    expect([fits(2, 2), fits(3, 2), fits(null, 1000)]).toEqual([false, true, true]);
    expect(placeByWalk([], 3)).toBe(0);
    // maps at 1 (a one-page hole before it) and at 3 (a one-page hole at 2)
    const maps = [{ page: 1, count: 1 }, { page: 3, count: 2 }];
    expect(placeByWalk(maps, 1)).toBe(5);
    expect(placeByWalk([{ page: 2, count: 1 }], 1)).toBe(0);
    expect(placeByWalk([{ page: 0, count: 1 }, { page: 4, count: 1 }], 2)).toBe(1);
    expect(placeByWalk([{ page: 0, count: 1 }, { page: 4, count: 1 }], 3)).toBe(5);
  });

  it('counts a gap from a map\'s end to the next map, none after the last', () => {
    expect([gapAfter(3, 7), gapAfter(3, 3), gapAfter(3, undefined)]).toEqual([4, 0, null]);
  });
});

describe('event channels', () => {
  it('allocates the lowest free port from 1, within the domain\'s limit and FIFO\'s', () => {
    expect(lowestFreePort([])).toBe(1);
    expect(lowestFreePort([1, 2, 3, 5])).toBe(4);
    expect(lowestFreePort([2, 3])).toBe(1);
    expect([portAllowed(1023, 1023), portAllowed(1024, 1023), portAllowed(1 << 17, 1 << 20)]).toEqual([true, false, false]);
  });

  it('refuses a virq past NR_VIRQS, then a global one outside dom0, then one already bound', () => {
    expect(virqRefusal(24, 0, true)?.code).toBe('EINVAL');
    expect(virqRefusal(3, 1, true)?.code).toBe('EBUSY');
    expect(virqRefusal(3, 0, true)?.code).toBe('EEXIST');
    expect(virqRefusal(0, 1, false)).toBeUndefined();
  });

  it('binds interdomain only to an unbound port meant for the binder', () => {
    expect(interdomainRefusal(1, 0, 5, undefined)).toMatch(/not allocated/);
    expect(interdomainRefusal(1, 0, 5, { state: 'interdomain', remote_domid: 1 })).toMatch(/is interdomain, not unbound/);
    expect(interdomainRefusal(1, 0, 5, { state: 'unbound', remote_domid: 2 })).toMatch(/meant for domain 2, not 1/);
    expect(interdomainRefusal(1, 0, 5, { state: 'unbound', remote_domid: 1 })).toBeUndefined();
  });

  it('sends to the interdomain peer, to itself for an IPI, nowhere otherwise', () => {
    const p = { domid: 0, port: 18, remote_domid: 1, remote_port: 4 };
    expect(sendTarget({ ...p, state: 'interdomain' })).toEqual({ domid: 1, port: 4 });
    expect(sendTarget({ ...p, state: 'ipi' })).toEqual({ domid: 0, port: 18 });
    expect(sendTarget({ ...p, state: 'unbound' })).toBeUndefined();
    expect(sendTarget({ ...p, state: 'virq' })).toBeUndefined();
  });

  it('delivers an unmasked device port once and masks it; merges sends while masked; redelivers on unmask', () => {
    expect(onRaise({ bound_here: 0, enabled: 1 })).toBe('ignore');
    expect(onRaise({ bound_here: 1, enabled: 1 })).toBe('deliver');
    expect(onRaise({ bound_here: 1, enabled: 0 })).toBe('pend');
    expect(onUnmask({ bound_here: 1, enabled: 0, pending: 1 })).toEqual({ unmask: true, again: true });
    expect(onUnmask({ bound_here: 1, enabled: 0, pending: 0 })).toEqual({ unmask: true, again: false });
    expect(onUnmask({ bound_here: 1, enabled: 1, pending: 1 })).toEqual({ unmask: false, again: false });
  });

  it('has room for whole pages of 1024 channels', () => {
    expect([channelCount(0), channelCount(1023), channelCount(1024), channelCount(5000)]).toEqual([1024, 1024, 2048, 5120]);
  });
});
