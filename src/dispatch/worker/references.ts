// The reference a provider is given for a message: the installation's id (read once) and the message's id.
import type { Db } from '../../store/db.js';
import { readInstallationId } from '../../store/installation.js';
import { messageReference } from '../provider.js';

export type ReferenceOf = (messageId: number) => string;

/** Reads the installation's id at the first call (again after a failed read) and keeps it. */
export function installationReferences(db: Db): () => Promise<ReferenceOf> {
  let installationId: Promise<string> | null = null;
  return async () => {
    installationId ??= readInstallationId(db).catch((error: unknown) => {
      installationId = null;
      throw error;
    });
    const id = await installationId;
    return (messageId) => messageReference(id, messageId);
  };
}
