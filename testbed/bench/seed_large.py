# Runs in `nautobot-server shell` after the fixture's seed, with SCALE defined on the line
# before it: SCALE x 1000 devices of 12 interfaces, an IPv4 address on every third interface
# (in a /24 per 50 devices), for `make bench --scale`. Bulk inserts: minutes, not hours.
import ipaddress
import time

from django.contrib.contenttypes.models import ContentType

from nautobot.dcim.models import Device, DeviceType, Interface, Location
from nautobot.extras.models import Role, Status
from nautobot.ipam.models import IPAddress, IPAddressToInterface, Namespace, Prefix

started = time.monotonic()
active = Status.objects.get(name="Active")
location = Location.objects.get(name="site-1")
model = DeviceType.objects.get(model="AR-1000")
router = Role.objects.get(name="Router")
for model_class in (Interface, IPAddress, Prefix):
    active.content_types.add(ContentType.objects.get_for_model(model_class))
namespace = Namespace.objects.get(name="Global")
devices = SCALE * 1000  # noqa: F821  (given by the caller)
# PostgreSQL returns the primary keys of bulk inserts: no query back.
bench = Device.objects.bulk_create(
    [Device(name=f"bench-{n:05d}", location=location, device_type=model, role=router, status=active) for n in range(devices)],
    batch_size=1000,
)
interfaces = Interface.objects.bulk_create(
    [Interface(device=device, name=f"eth{i}", type="1000base-t", status=active) for device in bench for i in range(12)],
    batch_size=2000,
)
addresses, links = [], []
for block in range(0, devices, 50):
    network = ipaddress.ip_network(f"10.{block // 50 // 256}.{block // 50 % 256}.0/24")
    prefix = Prefix.objects.create(prefix=str(network), namespace=namespace, status=active)
    hosts = network.hosts()
    for interface in interfaces[block * 12:(block + 50) * 12:3]:  # eth0, eth3, eth6, eth9 of each device
        address = IPAddress(address=f"{next(hosts)}/24", parent=prefix, status=active, type="host")
        addresses.append(address)
        links.append((address, interface))
IPAddress.objects.bulk_create(addresses, batch_size=2000)
IPAddressToInterface.objects.bulk_create([IPAddressToInterface(ip_address=a, interface=i) for a, i in links], batch_size=2000)
print("seeded", Device.objects.count(), "devices,", Interface.objects.count(), "interfaces,", IPAddress.objects.count(),
      "IP addresses,", Prefix.objects.count(), "prefixes in", round(time.monotonic() - started, 1), "s")
