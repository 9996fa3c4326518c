export * from './event-id';
export * from './events';
export * from './partial-json/index';
export * from './schemas/chat';
export * from './schemas/plan';
