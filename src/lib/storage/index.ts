export {
	createLab,
	deleteLab,
	getLab,
	labDbName,
	listLabs,
	renameLab,
	storageEstimate,
	StorageError,
	touchLab,
	type LabInfo,
	type StorageErrorKind,
	type StorageEstimate
} from './lab-db';
export { DEFAULT_CACHE_BYTES, EXTENT_BYTES, extentBlocks, LabDisks, type TrimOptions } from './idb-block-store';
export { IdbMapStore } from './idb-map-store';
export { LabStorage, type LabStorageOptions } from './lab-storage';
export { openStorage, type OpenResult } from './open-storage';
