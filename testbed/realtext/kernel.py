"""The Linux kernel's own text, as a distro shows it under /proc and /sys."""

# CAPTURED  /proc/net/route of a Linux container with one interface (kernel 6.x; the kernel pads each line with
# spaces to 127 characters): the default route, destination 00000000, on eth0.
PROC_NET_ROUTE_ETH0 = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               \neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n'
# CAPTURED  /sys/class/net/eth0/mtu on the same container, whose network runs inside a tunnel: below Ethernet's
# 1500, as behind a VPN, or in WSL's mirrored mode where eth0 mirrors a VPN's adapter.
SYS_CLASS_NET_ETH0_MTU_TUNNEL = "1400"
