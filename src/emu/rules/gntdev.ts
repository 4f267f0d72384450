/**
 * Where gntdev puts a new mapping (Linux's gntdev_add_map): it walks its maps in index order and
 * slots the new one in front of the first map it ends strictly before, else after the last. So a
 * gap of exactly the request's size is not reused (docs/XEN-RULES.md: checked on the real dom0). Indices are in pages here.
 */

/** The free pages from a map's end to the next map (null: no map follows). */
export const gapAfter = (end: number, nextPage: number | undefined): number | null => (nextPage === undefined ? null : nextPage - end);

/** Whether `count` pages go into a gap of `gap` free pages (null: the open end after the last map). */
export const fits = (gap: number | null, count: number): boolean => gap === null || gap > count;

/** The page a mapping of `count` pages goes to among `maps` (sorted by page): the kernel's walk. */
export function placeByWalk(maps: readonly { page: number; count: number }[], count: number): number {
  let end = 0;
  for (const m of maps) {
    if (fits(m.page - end, count)) return end;
    end = m.page + m.count;
  }
  return end;
}
