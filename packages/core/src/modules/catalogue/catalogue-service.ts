import { asc, desc, eq } from 'drizzle-orm';
import type { Actor } from '../../context.js';
import { dataCategories, dataCategoryVersions } from '../../db/schema.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { OPERATIONS } from '../../operations.js';
import type { Runner } from '../../runner.js';
import { isUniqueViolation, parseInput } from '../../validation.js';
import { createDataCategoryInput, type CreateDataCategoryInput, type DataCategory, type DataCategoryVersion } from './catalogue-types.js';

type Row = typeof dataCategories.$inferSelect;

function toCategory(r: Row): DataCategory {
  return {
    id: r.id,
    code: r.code,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    description: r.description,
    piType: r.piType as DataCategory['piType'],
    sensitivity: r.sensitivity,
    builtIn: r.builtIn,
    version: r.version,
    updatedAt: r.updatedAt.toISOString(),
  };
}

function snapshot(r: Row) {
  const { code, nameZh, nameEn, description, piType, sensitivity } = r;
  return { code, nameZh, nameEn, description, piType, sensitivity };
}

/**
 * P1.2: the PI catalogue. Built-in categories ship in migration 0002 (from P1.2, GB/T 35273 and
 * PIPL Art. 28); administrators add their own. Every version is kept in data_category_versions.
 */
export function createCatalogueService(deps: { runner: Runner }) {
  const { runner } = deps;
  return {
    list(actor: Actor): Promise<DataCategory[]> {
      return runner.run(actor, OPERATIONS.listDataCategories, async ({ tx }) =>
        (await tx.select().from(dataCategories).orderBy(desc(dataCategories.builtIn), asc(dataCategories.code))).map(toCategory),
      );
    },

    create(actor: Actor, input: CreateDataCategoryInput): Promise<DataCategory> {
      return runner.run(actor, OPERATIONS.createDataCategory, async ({ tx, audit }) => {
        const data = parseInput(createDataCategoryInput, input);
        const row = (
          await tx
            .insert(dataCategories)
            .values({ ...data, description: data.description ?? null, builtIn: false, version: 1 })
            .returning()
            .catch((e: unknown) => {
              if (isUniqueViolation(e)) throw new ConflictError('a data category with this code already exists');
              throw e;
            })
        )[0]!;
        await tx
          .insert(dataCategoryVersions)
          .values({ categoryId: row.id, version: 1, snapshot: snapshot(row), changedBy: actor.username });
        await audit({
          action: 'catalogue.category_created',
          resourceType: 'data_category',
          resourceId: row.id,
          details: { ...snapshot(row), version: 1 },
        });
        return toCategory(row);
      });
    },

    versions(actor: Actor, id: string): Promise<DataCategoryVersion[]> {
      return runner.run(actor, OPERATIONS.listDataCategoryVersions, async ({ tx }) => {
        const rows = await tx
          .select()
          .from(dataCategoryVersions)
          .where(eq(dataCategoryVersions.categoryId, id))
          .orderBy(asc(dataCategoryVersions.version));
        if (!rows.length) throw new NotFoundError('data category not found');
        return rows.map((r) => ({
          version: r.version,
          snapshot: r.snapshot as Record<string, unknown>,
          changedBy: r.changedBy,
          changedAt: r.changedAt.toISOString(),
        }));
      });
    },
  };
}
