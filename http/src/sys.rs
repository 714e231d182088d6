//! The crate's only `unsafe`: TCP_NODELAY on a listening socket, which std does not wrap
//! (feature `tiny-http`, whose server is handed a listener we bound).

use std::io;

/// Sets TCP_NODELAY on a listening socket; Linux copies it to every socket it accepts.
pub(crate) fn set_listener_nodelay(listener: &std::net::TcpListener) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: the fd is a valid socket owned by `listener` for the duration of the call, and
    // `on` is a c_int that outlives it; setsockopt only reads `size_of::<c_int>()` bytes.
    let rc = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            core::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
