/** The ELF reader's public face: what probe/ and the integrator use. */
export { openElf, isElfFile, vaddrToFileOffset, fileOffsetToVaddr, EM_X86_64, PT_LOAD, PF_X, type ElfFile, type ProgramHeader, type SectionHeader } from './elf-file.js';
export { readSymbolTable, hasSymtab, isDefinedFunction, type ElfSymbol } from './elf-symbols.js';
export { readDynamic, type DynamicInfo } from './elf-dynamic.js';
export { readBuildId, readDebugLink, type DebugLink } from './elf-notes.js';
export { findDebugFile, DEFAULT_DEBUG_ROOTS, type DebugFileSearch } from './debug-file.js';
export { loadElfSymbols, loadFunctionTable, readFunctionTable, type ElfSymbols, type FunctionSymbol, type FunctionTable } from './symbolizer.js';
export { findInlinedInstances, type InlinedInstance } from './dwarf-inlines.js';
export { sectionData } from './section-data.js';
export { reachesAddress } from './call-scan.js';
export { branchTargets, endsWithCall, LONGEST_CALL } from './x86-calls.js';
