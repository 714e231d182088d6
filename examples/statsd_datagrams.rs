//! statsd from the no_std core alone: what a firmware does to push its metrics. The region is
//! a `static`, the encoder reads it in place (no snapshot buffer, no parse) and packs heapless
//! datagrams, and each datagram goes to whatever network stack the program has (smoltcp's or embassy-net's UDP socket on a microcontroller; a
//! `std::net::UdpSocket` here, so that the example runs on a host). Nothing allocates.
//!
//! Run: `cargo run -p mutornadomon-examples --example statsd_datagrams [HOST:PORT]`
//! (default 127.0.0.1:8125; `nc -ul 8125` in another terminal shows the datagrams).

use mutornadomon_core::{Meta, StatsdEncoder, Storage};

static STATS: Storage<2048> = Storage::new();

/// The encoder keeps the previous value of up to 16 counters for their deltas.
type Encoder = StatsdEncoder<16>;

/// One publish: datagrams of at most 512 bytes (safe on any path) read from the region in
/// place and handed to `send`. (A reader of another process's stats file parses a copy of it
/// and calls `encode` instead: the same datagrams.)
fn publish(encoder: &mut Encoder, send: &mut impl FnMut(&[u8])) {
    match encoder.encode_region::<512>(&STATS.region(), "fw.", |datagram| send(datagram)) {
        Ok(encoded) if encoded.skipped > 0 => println!("{} metrics left out", encoded.skipped),
        Ok(_) => {}
        Err(e) => println!("statsd: {e}"),
    }
}

fn main() -> std::io::Result<()> {
    let server = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8125".into());
    let socket = std::net::UdpSocket::bind("0.0.0.0:0")?;
    socket.connect(&server)?;

    let region = STATS.region();
    let samples = region
        .counter("adc_samples", Meta::new().help("ADC samples taken"))
        .expect("room for it");
    let temperature = region
        .gauge("temperature", Meta::new().unit("celsius"))
        .expect("room for it");
    let loop_time = region
        .histogram("loop_time", Meta::new().unit("microseconds"))
        .expect("room for it");

    let mut encoder = Encoder::new();
    let mut send = |datagram: &[u8]| {
        // On a device: `udp_socket.send_slice(datagram, endpoint)` (smoltcp) or
        // `socket.send_to(datagram, endpoint).await` (embassy-net).
        print!("{}", String::from_utf8_lossy(datagram));
        let _ = socket.send(datagram);
    };
    for tick in 0..3u32 {
        samples.inc_by(100);
        temperature.set(-7.75 + f64::from(tick)); // below zero: sent as `0` then the value
        loop_time.record(900 + u64::from(tick) * 50);
        println!("-- publish {tick} to {server}");
        publish(&mut encoder, &mut send);
    }
    Ok(())
}
