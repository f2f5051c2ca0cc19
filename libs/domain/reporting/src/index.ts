export * from './robust-change';
