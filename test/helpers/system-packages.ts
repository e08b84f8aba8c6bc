// Moved to bench/servers/ so benches need not import test/; tests keep this path.
export * from '../../bench/servers/system-packages.js';
