"""A volunteer's record in the dashboard: hours, points, shifts and the certificate PDF, for
the admins of the volunteer's home site and no one else (each of the three roles)."""

from __future__ import annotations

from server.ledger import operations as ops


def test_record_page_for_every_role(client, db, network, create_admin, login, make_volunteer,
                                    make_shift):
    person = make_volunteer(name="王秀英", site=network["library"])
    ops.credit_shift(make_shift(person, 120))
    db.session.commit()
    number = person.number
    admins = {"district": create_admin("district_admin", network["center"]),
              "institute": create_admin("institute_admin", network["east"]),
              "station": create_admin("station_admin", network["east_station"]),
              "other town": create_admin("institute_admin", network["west"])}
    for who, admin in admins.items():
        token = login(admin)
        page = client.get(f"/admin/volunteers/{number}/record")
        pdf = client.get(f"/admin/volunteers/{number}/certificate.pdf")
        if who == "other town":
            missing = client.get("/admin/volunteers/ZH2099999999/record")
            assert page.status_code == pdf.status_code == missing.status_code == 404
        else:
            text = page.get_data(as_text=True)
            assert page.status_code == 200, who
            assert "2.0 小时" in text and "东村图书室" in text and ">20<" in text
            assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
            show = client.get(f"/admin/volunteers/{number}").get_data(as_text=True)
            assert f"/admin/volunteers/{number}/record" in show
        client.post("/logout", data={"csrf_token": token})
