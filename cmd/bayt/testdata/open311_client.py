#!/usr/bin/env python3
"""A GeoReport v2 client written from the specification alone.

It makes the requests the specification documents as its examples
(wiki.open311.org/GeoReport_v2), in their order and with their
parameters: discovery; GET services.xml?jurisdiction_id=...; GET
services/{service_code}.xml; POST requests.xml form-encoded with api_key,
jurisdiction_id, service_code, lat, long, address_string, email,
device_id, account_id, first_name, last_name, phone, description,
media_url and attribute[...]; GET tokens/{token}.xml when the answer is a
token; GET requests/{service_request_id}.xml; GET requests.xml with
start_date, end_date and status; then the same in JSON. It reads the
answers as the specification shapes them and exits 1 at the first
departure, saying which.

It uses the Python standard library only.

    python3 open311_client.py http://127.0.0.1:8080/open311

A list can lag a moment behind a request just posted: "report" stops
after reading the request back, and "lists ID" reads the lists and
errors for a request posted before.

    python3 open311_client.py http://127.0.0.1:8080/open311 report
    python3 open311_client.py http://127.0.0.1:8080/open311 lists ID
"""

import datetime
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

JURISDICTION = "bayt.example"

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata",
                  "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible",
                  "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"}


class Departure(Exception):
    """The server answered other than the specification says."""


def expect(cond, what):
    if not cond:
        raise Departure(what)


def call(method, url, form=None):
    data = None
    headers = {"User-Agent": "open311-spec-client/1"}
    if form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def get_xml(url, status=200, form=None, method="GET"):
    code, ctype, body = call(method, url, form)
    expect(code == status, "%s %s: status %d, want %d: %r" % (method, url, code, status, body[:300]))
    expect(ctype.startswith("text/xml"), "%s: content type %r" % (url, ctype))
    expect(body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), "%s: no XML declaration" % url)
    return ET.fromstring(body)


def get_json(url, status=200, form=None, method="GET"):
    code, ctype, body = call(method, url, form)
    expect(code == status, "%s %s: status %d, want %d: %r" % (method, url, code, status, body[:300]))
    expect(ctype.startswith("application/json"), "%s: content type %r" % (url, ctype))
    return json.loads(body.decode("utf-8"))


def fields(elem):
    return {child.tag for child in elem}


def main(base):
    base = base.rstrip("/")
    q = "?" + urllib.parse.urlencode({"jurisdiction_id": JURISDICTION})

    # Service discovery: the endpoint to use.
    disc = get_xml(base + "/discovery.xml")
    expect(disc.tag == "discovery", "discovery root %s" % disc.tag)
    endpoints = [e for e in disc.find("endpoints") if e.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"]
    expect(endpoints, "no GeoReport v2 endpoint in discovery")
    endpoint = endpoints[0].findtext("url").rstrip("/")
    formats = {f.text for f in endpoints[0].find("formats")}
    expect({"text/xml", "application/json"} <= formats, "formats %s" % formats)
    print("discovery: endpoint", endpoint)

    # GET Service List.
    services = get_xml(endpoint + "/services.xml" + q)
    expect(services.tag == "services" and len(services) > 0, "services: %s with %d" % (services.tag, len(services)))
    for s in services:
        expect(s.tag == "service" and fields(s) == SERVICE_FIELDS, "service fields %s" % fields(s))
        expect(s.findtext("type") in ("realtime", "batch", "blackbox"), "service type %s" % s.findtext("type"))
    service = services[0]
    code = service.findtext("service_code")
    print("services:", len(services), "first", code, "metadata", service.findtext("metadata"))

    # GET Service Definition, since metadata is true, for the attributes to post.
    attributes = {}
    if service.findtext("metadata") == "true":
        definition = get_xml(endpoint + "/services/" + urllib.parse.quote(code) + ".xml" + q)
        expect(definition.tag == "service_definition", "definition root %s" % definition.tag)
        for a in definition.find("attributes"):
            if a.findtext("required") == "true" and a.findtext("variable") == "true":
                values = a.find("values")
                expect(values is not None and len(values) > 0, "required attribute %s has no values" % a.findtext("code"))
                attributes["attribute[%s]" % a.findtext("code")] = values[0].findtext("key")
    print("definition: required attributes", sorted(attributes))

    # POST Service Request, with every argument of the example.
    form = {
        "api_key": "xyz",
        "jurisdiction_id": JURISDICTION,
        "service_code": code,
        "lat": "36.79895",
        "long": "10.17144",
        "address_string": "12 Rue de la Kasbah",
        "email": "spec.client@example.org",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "john",
        "last_name": "smith",
        "phone": "111111111",
        "description": "A large sinkhole is destroying the street",
        "media_url": "https://photos.example.org/sinkhole.jpg",
    }
    form.update(attributes)
    created = get_xml(endpoint + "/requests.xml", status=201, form=form, method="POST")
    expect(created.tag == "service_requests" and len(created) == 1, "POST answer %s" % created.tag)
    request_id = created[0].findtext("service_request_id")
    token = created[0].findtext("token")
    if not request_id:
        # GET request_id from a token, when the server answers with one.
        expect(token, "neither service_request_id nor token")
        found = get_xml(endpoint + "/tokens/" + urllib.parse.quote(token) + ".xml" + q)
        request_id = found[0].findtext("service_request_id")
    expect(request_id, "no service_request_id")
    print("POST requests.xml: service_request_id", request_id)
    if token:
        found = get_xml(endpoint + "/tokens/" + urllib.parse.quote(token) + ".xml" + q)
        expect(found[0].findtext("service_request_id") == request_id, "token names another request")
        print("tokens: token names", request_id)

    # GET Service Request.
    one = get_xml(endpoint + "/requests/" + urllib.parse.quote(request_id) + ".xml" + q)
    expect(one.tag == "service_requests" and len(one) == 1, "one request: %s" % one.tag)
    r = one[0]
    expect(fields(r) == REQUEST_FIELDS, "request fields %s" % fields(r))
    expect(r.findtext("service_request_id") == request_id and r.findtext("status") == "open", "request %s" % ET.tostring(r))
    expect(r.findtext("service_code") == code, "service_code %s" % r.findtext("service_code"))
    datetime.datetime.fromisoformat(r.findtext("requested_datetime").replace("Z", "+00:00"))
    print("requests/%s.xml: status %s" % (request_id, r.findtext("status")))

    print("service_request_id:", request_id)
    return request_id


def endpoint_of(base):
    disc = get_xml(base.rstrip("/") + "/discovery.xml")
    return disc.find("endpoints")[0].findtext("url").rstrip("/")


def check_lists(base, request_id):
    endpoint = endpoint_of(base)
    q = "?" + urllib.parse.urlencode({"jurisdiction_id": JURISDICTION})
    # GET Service Requests, by dates and status as the example does.
    now = datetime.datetime.now(datetime.timezone.utc)
    listq = urllib.parse.urlencode({
        "jurisdiction_id": JURISDICTION,
        "start_date": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "open",
    })
    many = get_xml(endpoint + "/requests.xml?" + listq)
    expect(many.tag == "service_requests", "requests root %s" % many.tag)
    expect(request_id in [x.findtext("service_request_id") for x in many], "the request is not among the open ones")
    print("requests.xml: %d open" % len(many))

    # The same in JSON.
    js = get_json(endpoint + "/services.json" + q)
    expect(all(set(s) == SERVICE_FIELDS for s in js), "services.json fields")
    expect(all(isinstance(s["service_code"], str) and isinstance(s["keywords"], str) for s in js), "services.json types")
    one = get_json(endpoint + "/requests/" + urllib.parse.quote(request_id) + ".json" + q)
    expect(len(one) == 1 and set(one[0]) == REQUEST_FIELDS, "requests/{id}.json fields %s" % (one and set(one[0])))
    expect(isinstance(one[0]["service_request_id"], str), "service_request_id is not a string")
    many = get_json(endpoint + "/requests.json?" + listq)
    expect(request_id in [x["service_request_id"] for x in many], "requests.json misses the request")
    print("json: services %d, requests %d" % (len(js), len(many)))

    # Errors: a request that does not exist.
    errors = get_xml(endpoint + "/requests/no-such-request.xml" + q, status=404)
    expect(errors.tag == "errors" and errors[0].tag == "error" and errors[0].findtext("code") == "404", "404 errors")
    errs = get_json(endpoint + "/requests/no-such-request.json" + q, status=404)
    expect(errs[0]["code"] == 404 and errs[0]["description"], "404 errors in JSON")
    print("errors: 404 in XML and JSON")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not (len(args) == 1 or (len(args) == 2 and args[1] == "report") or (len(args) == 3 and args[1] == "lists")):
        print(__doc__)
        sys.exit(2)
    try:
        if len(args) == 3:
            check_lists(args[0], args[2])
        else:
            request_id = main(args[0])
            if len(args) == 1:
                check_lists(args[0], request_id)
    except Departure as d:
        print("DEPARTURE FROM THE SPECIFICATION:", d)
        sys.exit(1)
    print("ok: the server answered every example of the specification")
