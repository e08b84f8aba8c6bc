import type { PluginFactory } from '../plugin.js';
import { createInventoryTracker } from './inventory-tracker.js';

/** Keeps each host's latest inventory and dates every change (the inspection report lists them). */
export const inventoryPlugin: PluginFactory = ({ db, now }) => ({
  name: 'inventory',
  listeners: [createInventoryTracker(db, now)],
});
