import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { testStation, type TestStation } from '../helpers/station';
import { certificates, tlsBrokerConfig } from '../helpers/certs';
import { waitFor } from '../helpers/wait';

const stations: TestStation[] = [];
afterEach(async () => {
  for (const s of stations.splice(0)) await s.station.stop();
});

describe('TLS to the broker', () => {
  it('mqtts with the site CA and a client certificate: online; without the CA: refused, with the reason', async () => {
    const c = certificates();
    const broker = await startMosquitto({
      extraConfig: tlsBrokerConfig(c),
    });
    const url = broker.url.replace('mqtt://', 'mqtts://');

    const good = testStation({
      PLAINVIEW_MQTT_URL: url,
      PLAINVIEW_MQTT_CA_FILE: c.ca,
      PLAINVIEW_MQTT_CERT_FILE: c.clientCert,
      PLAINVIEW_MQTT_KEY_FILE: c.clientKey,
    });
    stations.push(good);
    await good.station.start();
    await waitFor(() => good.station.running().field.link.online, 'online over TLS');

    const noCa = testStation({ PLAINVIEW_MQTT_URL: url, PLAINVIEW_STATION_ID: 'ws-2' });
    stations.push(noCa);
    await noCa.station.start();
    const field = noCa.station.running().field;
    const state = await waitFor(() => (field.link.state.status === 'offline' ? field.link.state : null), 'refused');
    expect(state.reason).toMatch(/certificate/i);
  }, 90_000);
});
