//! The page's entry point: everything else lives in the library so tests can mount it.

fn main() {
    stopover_page::start();
}
