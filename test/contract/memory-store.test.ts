import type { KubeObject } from '../../shared/apimachinery/meta.js';
import { MemoryStore } from '../../shared/storage/memory-store.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('MemoryStore', { newStore: async () => new MemoryStore<KubeObject>() });
