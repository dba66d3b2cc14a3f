#!/usr/bin/env python3
"""Writes the seed inputs of tests/fuzz/corpus/<name>/ (committed; run this again
after changing a seed below). Proto seeds are encoded from text format with
protoc; token seeds are HS256 JWTs signed with token_fuzz.cc's key."""
import base64
import hashlib
import hmac
import json
import pathlib
import shutil
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"

# token_fuzz.cc: kKey, kOtherKey and kNow (2025-01-15T00:00:00Z).
KEY = b"attain-fuzz-key-0123456789abcdef"
OTHER_KEY = b"attain-fuzz-other-key-0123456789"
NOW = 1736899200


def write(name, seed, data):
    d = CORPUS / name
    d.mkdir(parents=True, exist_ok=True)
    (d / seed).write_bytes(data.encode() if isinstance(data, str) else data)


def encode(message, proto, text):
    return subprocess.run(
        ["protoc", f"--encode={message}", "-I", str(ROOT / "protos"), proto],
        input=text.encode(), capture_output=True, check=True).stdout


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, key=KEY, alg="HS256"):
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64(json.dumps(claims, separators=(",", ":")).encode())
    if alg == "none":
        return f"{head}.{body}."
    sig = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def claims(**over):
    c = {"iss": "attain", "tenant": "acme", "sub": "rep-007", "role": "rep", "scope": "",
         "iat": NOW - 60, "exp": NOW + 3600}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def period():
    for i, text in enumerate(["2024", "2024-H2", "2024-Q3", "2024-09", "2024-09-D3",
                              "2024-W37", "2020-W53", "2024-02-29", "1900-01-01",
                              "9999-12-31", "2024-13", "2023-W53"]):
        write("period", f"{i:02d}_{text}", text)


def csv():
    write("csv", "orders", "orders\n"
          "event_id,occurred_at,order_id,version,customer_id,rep_id,product_line_id,amount,"
          "gross_profit,currency,status,signed_date\n"
          "e-1,2025-01-15T10:30:00+08:00,o-1,1,c-1,rep-1,pl-1,\"1,234.50\",200.00,CNY,"
          "closed_won,2025-01-15\n"
          "e-2,2025-01-16T09:00:00Z,o-1,2,c-1,rep-1,pl-1,1234.5,-10,cny,CANCELLED,2025-01-15\n")
    write("csv", "follow_ups", "follow-ups\n"
          "event_id,occurred_at,source,follow_up_id,customer_id,rep_id,contact_time,method,"
          "content,next_action,next_action_date,new_stage\r\n"
          "f-1,2025-01-15T10:30:00Z,crm,fu-1,c-1,rep-1,2025-01-15T09:00:00+08:00,visit,"
          "\"demo, pricing \"\"A\"\"\nsecond line\",send quote,2025-01-20,proposal\r\n")
    write("csv", "reports", "reports\n"
          "event_id,occurred_at,report_id,author_id,cadence,period,submitted_at\n"
          "r-1,2025-01-17T18:00:00Z,wr-1,rep-1,weekly,2025-W03,2025-01-17T18:00:00Z\n"
          "r-2,2025-01-31T18:00:00Z,mr-1,unit-east,monthly,2025-01,2025-01-31T18:00:00Z\n")
    write("csv", "customers", "customers\n"
          "event_id,occurred_at,customer_id,version,full_name,industry,grade,tier,owner_rep_id\n"
          "k-1,2025-01-15T10:30:00Z,c-1,3,\"  Acme  Trading Co.,Ltd \",retail,a,key-account,"
          "rep-1\n")
    write("csv", "targets", "targets\n"
          "scope,period,metric,base,challenge,currency\n"
          "unit:east,2026-Q4,sales_amount,\"3,000,000.00\",3500000,CNY\n"
          "rep:rep-e1-1,2026-10,collection_rate,95.5%,98\n"
          "unit:east,2026-W40,customer_satisfaction,4.5,4.75\n")
    write("csv", "plain", b'\xef\xbb\xbfa, b ,"c"\r\n\n"x""y",,"multi\nline"\n  \n')
    write("csv", "unterminated", "a,\"b\n")


def event():
    proto = "attain/ingest/v1/events.proto"
    seeds = {
        "order": 'order { order_id: "o-1" version: 1 customer_id: "c-1" rep_id: "rep-1" '
                 'product_line_id: "pl-1" amount { currency_code: "CNY" minor_units: 123450 } '
                 'gross_profit { currency_code: "CNY" minor_units: -500 } '
                 'status: ORDER_STATUS_CLOSED_WON signed_date: "2025-01-15" }',
        "payment": 'payment { payment_id: "p-1" order_id: "o-1" customer_id: "c-1" '
                   'rep_id: "rep-1" amount { currency_code: "CNY" minor_units: 100 } '
                   'received_date: "2024-02-29" }',
        "receivable": 'receivable { receivable_id: "rv-1" version: 2 order_id: "o-1" '
                      'customer_id: "c-1" rep_id: "rep-1" amount_due { currency_code: "USD" '
                      'minor_units: 0 } due_date: "2025-03-31" }',
        "follow_up": 'follow_up { follow_up_id: "fu-1" customer_id: "c-1" rep_id: "rep-1" '
                     'contact_time: "2025-01-15T09:00:00.123456789+08:00" '
                     'method: CONTACT_METHOD_VISIT content: "demo" next_action: "quote" '
                     'next_action_date: "2025-01-20" new_stage: OPPORTUNITY_STAGE_PROPOSAL }',
        "opportunity": 'opportunity { opportunity_id: "op-1" version: 3 customer_id: "c-1" '
                       'rep_id: "rep-1" product_line_id: "pl-1" stage: OPPORTUNITY_STAGE_WON '
                       'amount { currency_code: "CNY" minor_units: 5000000 } '
                       'created_date: "2024-12-01" closed_date: "2025-01-15" }',
        "customer": 'customer { customer_id: "c-1" version: 1 full_name: " Acme  Trading " '
                    'industry: "retail" grade: CUSTOMER_GRADE_A tier: CUSTOMER_TIER_KEY_ACCOUNT '
                    'owner_rep_id: "rep-1" }',
        "survey": 'satisfaction_survey { survey_id: "s-1" customer_id: "c-1" rep_id: "rep-1" '
                  'score: 87 }',
        "rating": 'collaboration_rating { rating_id: "cr-1" rep_id: "rep-1" '
                  'department: "marketing" rating: 4 }',
        "knowledge": 'knowledge_sharing { entry_id: "k-1" rep_id: "rep-1" '
                     'role: KNOWLEDGE_SHARING_ROLE_GAVE topic: "pricing" date: "2025-01-10" }',
        "report": 'report_submission { report_id: "wr-1" author_id: "rep-1" '
                  'cadence: REPORT_CADENCE_WEEKLY period: "2025-W03" '
                  'submitted_at: "2025-01-17T18:00:60Z" }',
        "bad_date": 'order { order_id: "o-2" version: 1 customer_id: "c-1" rep_id: "rep-1" '
                    'product_line_id: "pl-1" amount { currency_code: "CNY" minor_units: 1 } '
                    'status: ORDER_STATUS_SIGNED signed_date: "2025-02-30" }',
    }
    for name, body in seeds.items():
        text = f'source: "crm" event_id: "evt-{name}" occurred_at: "2025-01-15T10:30:00Z" {body}'
        write("event", name, encode("attain.ingest.v1.Event", proto, text))


def template():
    proto = "attain/eval/v1/template.proto"
    valid = '''
      name: "sales rep"
      dimensions { id: "results" name: "results" weight: 6000
        indicators { id: "sales" name: "sales" metric: METRIC_SALES_AMOUNT
          target_source: TARGET_SOURCE_BASE points: 3000 linear { cap_bp: 12000 } }
        indicators { id: "collected" name: "collected" metric: METRIC_COLLECTED_AMOUNT
          target_source: TARGET_SOURCE_CHALLENGE points: 2000
          step_deduction { deduction: 200 step_bp: 500 mode: STEP_MODE_STARTED_STEPS } }
        indicators { id: "cycle" name: "deal cycle" metric: METRIC_DEAL_CYCLE_DAYS
          target_source: TARGET_SOURCE_FIXED fixed_target: 3000 points: 1000
          inverse { cap_bp: 10000 } } }
      dimensions { id: "soft" name: "soft" weight: 4000
        indicators { id: "collab" name: "collaboration" metric: METRIC_COLLABORATION_SCORE
          target_source: TARGET_SOURCE_NONE points: 2000
          scale { levels { label: "excellent" value: 5 min_actual: 450 }
                  levels { label: "good" value: 4 min_actual: 350 }
                  levels { label: "needs improvement" value: 2 } } }
        indicators { id: "visits" name: "visits" metric: METRIC_VISITS
          target_source: TARGET_SOURCE_BASE points: 2000
          bands { bands { lower_bp: 0 upper_bp: 8000 fraction_bp: 0 }
                  bands { lower_bp: 8000 upper_bp: 10000 fraction_bp: 8000 }
                  bands { lower_bp: 10000 fraction_bp: 11000 } } } }
      grades { name: "low" note: "coaching" }
      grades { name: "ok" min_points: 6000 }
      grades { name: "high" min_points: 9000 note: "bonus" }'''
    write("template", "valid", encode("attain.eval.v1.ScorecardTemplate", proto, valid))
    minimal = '''
      name: "one"
      dimensions { id: "d" name: "d" weight: 10000
        indicators { id: "i" name: "i" metric: METRIC_ORDER_COUNT
          target_source: TARGET_SOURCE_BASE points: 10000 linear {} } }
      grades { name: "all" min_points: 0 }'''
    write("template", "minimal", encode("attain.eval.v1.ScorecardTemplate", proto, minimal))
    broken = '''
      name: "broken; dimensions[0]"
      dimensions { id: "d" name: "" weight: 9000
        indicators { id: "i" name: "i" metric: METRIC_CHURN_RATE points: 9000 }
        indicators { id: "i" name: "j" metric: METRIC_UNSPECIFIED points: -1
          scale { levels { label: "a; dimensions[0].indicators[0].rule" value: 1 } } } }
      grades { name: "x" min_points: 5 }
      grades { name: "x" }'''
    write("template", "broken", encode("attain.eval.v1.ScorecardTemplate", proto, broken))


def token():
    write("token", "valid_rep", "Bearer " + jwt(claims()))
    write("token", "valid_manager",
          "bearer   " + jwt(claims(role="manager", scope="unit-east", nbf=NOW - 10)))
    write("token", "expired", "Bearer " + jwt(claims(exp=NOW - 1)))
    write("token", "alg_none", "Bearer " + jwt(claims(), alg="none"))
    write("token", "wrong_key", "Bearer " + jwt(claims(), key=OTHER_KEY))
    write("token", "hs512_header", "Bearer " + jwt(claims(), alg="HS512"))
    write("token", "basic", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")
    write("token", "claims_valid", "claims:" + json.dumps(claims(exp=NOW + 0.5 + 3600)))
    write("token", "claims_odd", "claims:" + json.dumps(
        {"iss": "attain", "tenant": "t", "sub": "s", "role": "admin", "exp": 1e300,
         "nbf": [1], "scope": 7}))


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    period()
    csv()
    event()
    template()
    token()


if __name__ == "__main__":
    main()
