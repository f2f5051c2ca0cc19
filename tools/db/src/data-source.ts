// The data source TypeORM's CLI uses for `nx run <service>:migration:*` (SEXTANT_SERVICE names the
// service; DATABASE_OWNER_URL connects as the schema owner).
import { createServiceDataSource } from '@sextant/platform/database';
import { serviceSchema } from './service-schema';

const service = process.env.SEXTANT_SERVICE;
const url = process.env.DATABASE_OWNER_URL;
if (!service || !url) throw new Error('set SEXTANT_SERVICE and DATABASE_OWNER_URL');

export default createServiceDataSource({ schema: service, url, ...serviceSchema(service) });
