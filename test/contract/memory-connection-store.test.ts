import { MemoryConnectionStore } from '../../shared/storage/memory-connection-store.js';
import { runSubscriptionStoreContract } from './subscription-store-contract.js';

runSubscriptionStoreContract('MemoryConnectionStore', { newStore: async () => new MemoryConnectionStore() });
