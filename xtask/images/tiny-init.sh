#!/bin/sh
# /init of Overcast's `tiny` image: load the virtio drivers, apply the
# NoCloud config drive (hostname, address, SSH keys), print the readiness
# marker on the serial console, and idle.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /etc/modules); do
    insmod "/lib/modules/$m.ko" || echo "overcast: could not load $m"
done

# Wait for the block devices the virtio drivers find.
i=0
while [ ! -e /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

CIDATA=/run/cidata
mkdir -p $CIDATA
for dev in /dev/vd*; do
    if mount -t iso9660 -o ro "$dev" $CIDATA 2>/dev/null; then
        [ -f $CIDATA/meta-data ] && break
        umount $CIDATA
    fi
done

HOST=tiny
ADDRESS=none
KEYS=0
if [ -f $CIDATA/meta-data ]; then
    HOST=$(sed -n 's/^local-hostname: *//p' $CIDATA/meta-data)
    mkdir -p /root/.ssh
    sed -n 's/^ *- *\(ssh-[^ ].*\|ecdsa-[^ ].*\)$/\1/p' $CIDATA/meta-data > /root/.ssh/authorized_keys
    KEYS=$(wc -l < /root/.ssh/authorized_keys)
fi
hostname "$HOST"
if [ -f $CIDATA/network-config ]; then
    ADDRESS=$(sed -n 's/.*addresses: *\[\([^],]*\).*/\1/p' $CIDATA/network-config | head -n 1)
    GATEWAY=$(sed -n 's/.*gateway4: *\([0-9.]*\).*/\1/p' $CIDATA/network-config | head -n 1)
    IFACE=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
    if [ -n "$IFACE" ] && [ -n "$ADDRESS" ]; then
        ip link set "$IFACE" up
        ip addr add "$ADDRESS" dev "$IFACE"
        [ -n "$GATEWAY" ] && ip route add default via "$GATEWAY"
    fi
fi

DISKS=""
for b in /sys/block/vd*; do
    [ -e "$b" ] || continue
    DISKS="$DISKS${DISKS:+,}$(basename "$b"):$(($(cat "$b/size") / 2048))M"
done
echo "OVERCAST-READY hostname=$(hostname) address=$ADDRESS ssh_keys=$KEYS disks=${DISKS:-none}"
while true; do sleep 3600; done
