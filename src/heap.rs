//! A small allocator for the npm package's WebAssembly module: blocks in
//! power-of-two size classes, each class with its own free list.
//!
//! Why not std's dlmalloc: it is about 7 KB of code, 6 KB of the download
//! after gzip, and this module's allocations are few and regular (a body, the
//! JSON text written from it, the strings of one call). Size classes serve
//! them in a handful of instructions, and a freed block is reused by the next
//! request of its class, so a console that lists the same page all day keeps
//! a flat linear memory.
//!
//! The price is what a size-class allocator always pays: a block is up to
//! twice what was asked for, and freed blocks are never merged, so memory
//! that once held a big page stays ready for the next big page rather than
//! for small ones. Linear memory never shrinks in any case.
//!
//! Blocks of a class below [`PAGE_CLASS`] are made by halving a larger free
//! block, so every block is aligned to its own size; from `PAGE_CLASS` up,
//! blocks are whole pages straight from the memory's growth. The logic is
//! plain Rust over a `grow` function, tested natively on an arena.

use core::ptr;

/// The smallest class: 16 bytes, room for the free list's link and the
/// alignment of every type the crate allocates.
const MIN_CLASS: u32 = 4;
/// 64 KiB, the WebAssembly page: blocks of this class and up come from
/// growing the memory.
pub(crate) const PAGE_CLASS: u32 = 16;
/// Classes up to 2 GiB, the most one allocation can have in wasm32.
const CLASSES: usize = 32;

/// The free lists, and where new memory comes from.
pub(crate) struct Heap {
    /// The first free block of each class; each free block's first word
    /// points at the next one.
    free: [*mut u8; CLASSES],
    /// Grows the memory by this many 64 KiB pages and returns the address of
    /// the first new byte, or `None` when it cannot.
    grow: fn(usize) -> Option<usize>,
}

impl Heap {
    /// An empty heap that takes its pages from `grow`.
    pub(crate) const fn new(grow: fn(usize) -> Option<usize>) -> Heap {
        Heap {
            free: [ptr::null_mut(); CLASSES],
            grow,
        }
    }

    /// The class that holds `size` bytes aligned to `align`, if any does.
    pub(crate) fn class_of(size: usize, align: usize) -> Option<u32> {
        // Blocks are aligned to their size (up to a page; pages to 64 KiB),
        // so a block as large as the alignment is aligned enough.
        if align > 1 << PAGE_CLASS {
            return None;
        }
        let bytes = size
            .max(align)
            .max(1 << MIN_CLASS)
            .checked_next_power_of_two()?;
        let class = bytes.trailing_zeros();
        (class < CLASSES as u32).then_some(class)
    }

    /// A block of `class`, or null when the memory cannot grow.
    ///
    /// # Safety
    ///
    /// The heap must own every block on its free lists, and `grow` must hand
    /// out memory that nothing else uses.
    pub(crate) unsafe fn take(&mut self, class: u32) -> *mut u8 {
        let slot = class as usize;
        let head = self.free[slot];
        if !head.is_null() {
            self.free[slot] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        if class >= PAGE_CLASS {
            let pages = 1usize << (class - PAGE_CLASS);
            return match (self.grow)(pages) {
                Some(address) => address as *mut u8,
                None => ptr::null_mut(),
            };
        }
        // Halve a block of the next class: keep the first half, free the
        // second, which is aligned to its size as the whole was to twice it.
        let whole = unsafe { self.take(class + 1) };
        if whole.is_null() {
            return whole;
        }
        unsafe { self.give(whole.add(1 << class), class) };
        whole
    }

    /// Puts a block of `class` back on its free list.
    ///
    /// # Safety
    ///
    /// `block` must come from [`take`](Self::take) with the same class and
    /// not be in use, nor freed already.
    pub(crate) unsafe fn give(&mut self, block: *mut u8, class: u32) {
        let slot = class as usize;
        unsafe { block.cast::<*mut u8>().write(self.free[slot]) };
        self.free[slot] = block;
    }
}

/// The module's global allocator: one [`Heap`] over the memory's growth.
#[cfg(all(target_arch = "wasm32", feature = "js"))]
mod global {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;
    use core::ptr;

    use super::Heap;

    /// New pages at the end of the module's memory.
    fn grow(pages: usize) -> Option<usize> {
        let before = core::arch::wasm32::memory_grow(0, pages);
        (before != usize::MAX).then_some(before << super::PAGE_CLASS)
    }

    struct Allocator(UnsafeCell<Heap>);

    // wasm32-unknown-unknown without the atomics feature runs one thread,
    // so the heap is never touched by two at once.
    unsafe impl Sync for Allocator {}

    // Not inlined: at every allocation site of the crate, an inlined copy
    // would cost more bytes than the allocator itself.
    unsafe impl GlobalAlloc for Allocator {
        #[inline(never)]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            match Heap::class_of(layout.size(), layout.align()) {
                Some(class) => unsafe { (*self.0.get()).take(class) },
                None => ptr::null_mut(),
            }
        }

        #[inline(never)]
        unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
            if let Some(class) = Heap::class_of(layout.size(), layout.align()) {
                unsafe { (*self.0.get()).give(block, class) }
            }
        }

        #[inline(never)]
        unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let old = Heap::class_of(layout.size(), layout.align());
            let new = Heap::class_of(new_size, layout.align());
            // The block already has room: a string that grows or shrinks
            // within its class stays where it is.
            if old.is_some() && old == new {
                return block;
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return ptr::null_mut();
            };
            let moved = unsafe { self.alloc(new_layout) };
            if !moved.is_null() {
                unsafe {
                    ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                    self.dealloc(block, layout);
                }
            }
            moved
        }
    }

    #[global_allocator]
    static ALLOCATOR: Allocator = Allocator(UnsafeCell::new(Heap::new(grow)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    const ARENA_PAGES: usize = 64;

    thread_local! {
        /// Each test's arena: its address and how many pages are handed out.
        static ARENA: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    }

    /// A heap over a fresh, page-aligned arena of `ARENA_PAGES` pages.
    fn heap() -> (Heap, Vec<u8>) {
        let mut memory = vec![0u8; (ARENA_PAGES + 1) << PAGE_CLASS];
        let start = (memory.as_mut_ptr() as usize).next_multiple_of(1 << PAGE_CLASS);
        ARENA.with(|arena| arena.set((start, 0)));
        fn grow(pages: usize) -> Option<usize> {
            ARENA.with(|arena| {
                let (start, used) = arena.get();
                (used + pages <= ARENA_PAGES).then(|| {
                    arena.set((start, used + pages));
                    start + (used << PAGE_CLASS)
                })
            })
        }
        (Heap::new(grow), memory)
    }

    fn pages_used() -> usize {
        ARENA.with(|arena| arena.get().1)
    }

    #[test]
    fn classes_round_up_to_a_power_of_two_of_at_least_16_bytes() {
        assert_eq!(Heap::class_of(0, 1), Some(4));
        assert_eq!(Heap::class_of(1, 1), Some(4));
        assert_eq!(Heap::class_of(16, 8), Some(4));
        assert_eq!(Heap::class_of(17, 1), Some(5));
        assert_eq!(
            Heap::class_of(4, 32),
            Some(5),
            "a block is as large as its alignment"
        );
        assert_eq!(Heap::class_of(65_536, 4), Some(16));
        assert_eq!(Heap::class_of(65_537, 4), Some(17));
        assert_eq!(Heap::class_of(1 << 31, 1), Some(31));
        assert_eq!(Heap::class_of((1 << 31) + 1, 1), None);
        assert_eq!(Heap::class_of(usize::MAX, 1), None);
        assert_eq!(Heap::class_of(8, 1 << 17), None);
    }

    #[test]
    fn blocks_are_aligned_to_their_size_and_do_not_overlap() {
        let (mut heap, _memory) = heap();
        let mut blocks = Vec::new();
        for class in [4, 9, 4, 5, 16, 12, 4, 17, 6, 15, 4] {
            let block = unsafe { heap.take(class) };
            assert!(!block.is_null());
            let size = 1usize << class;
            assert_eq!(
                block as usize % size.min(1 << PAGE_CLASS),
                0,
                "class {class}"
            );
            // Fill the block, so an overlap would show in a neighbour's bytes.
            unsafe { block.write_bytes(class as u8, size) };
            blocks.push((block as usize, size, class));
        }
        for (i, &(a, size_a, class_a)) in blocks.iter().enumerate() {
            let bytes = unsafe { std::slice::from_raw_parts(a as *const u8, size_a) };
            assert!(
                bytes.iter().all(|&b| b == class_a as u8),
                "block {i} was overwritten"
            );
            for &(b, size_b, _) in &blocks[i + 1..] {
                assert!(a + size_a <= b || b + size_b <= a, "blocks overlap");
            }
        }
    }

    #[test]
    fn a_freed_block_is_reused_by_its_class_and_memory_stops_growing() {
        let (mut heap, _memory) = heap();
        // The shape of one call, repeated: the memory it needs is taken on
        // the first round and reused on every later one.
        let mut after_first = 0;
        for round in 0..1_000 {
            let body = unsafe { heap.take(18) };
            let text = unsafe { heap.take(17) };
            let small: Vec<_> = (4..12)
                .map(|class| (unsafe { heap.take(class) }, class))
                .collect();
            assert!(!body.is_null() && !text.is_null());
            for (block, class) in small {
                unsafe { heap.give(block, class) };
            }
            unsafe {
                heap.give(text, 17);
                heap.give(body, 18);
            }
            if round == 0 {
                after_first = pages_used();
            }
        }
        assert_eq!(pages_used(), after_first);
        assert_eq!(
            after_first,
            4 + 2 + 1,
            "a body, a text and one page for the small blocks"
        );
    }

    #[test]
    fn the_last_freed_block_of_a_class_comes_back_first() {
        let (mut heap, _memory) = heap();
        let a = unsafe { heap.take(6) };
        let b = unsafe { heap.take(6) };
        unsafe {
            heap.give(a, 6);
            heap.give(b, 6);
        }
        assert_eq!(unsafe { heap.take(6) }, b);
        assert_eq!(unsafe { heap.take(6) }, a);
    }

    #[test]
    fn a_heap_that_cannot_grow_hands_out_null() {
        let (mut heap, _memory) = heap();
        // The arena holds 64 pages: a 128-page block cannot be had.
        assert!(unsafe { heap.take(PAGE_CLASS + 7) }.is_null());
        let all = unsafe { heap.take(PAGE_CLASS + 6) };
        assert!(!all.is_null());
        assert!(
            unsafe { heap.take(4) }.is_null(),
            "no page is left to halve"
        );
        unsafe { heap.give(all, PAGE_CLASS + 6) };
        assert_eq!(unsafe { heap.take(PAGE_CLASS + 6) }, all);
    }
}
