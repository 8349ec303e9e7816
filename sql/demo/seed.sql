-- The demo clinic: run once by `clinic demo` as the cluster's superuser, after the migrations and after
-- the demo staff logins exist. Deterministic (setseed) so every demo looks alike; dates are relative
-- to today, in the session's TimeZone (set to the clinic's zone by the caller).
-- Steps are separated by lines starting with "-- step:" so the caller can show progress.

-- step: the seed's sample patient
SELECT setseed(0.4242);
INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, phone, email, address_line1, city, postcode,
                             insurer, insurance_number, created_by)
VALUES ('Doe', 'John', DATE '1985-06-15', 'male', '1234567890', 'john.doe@example.com', '123 Main St', 'Springfield',
        'SP1 2AB', 'Acme Health', 'AH-100200',
        (SELECT id FROM clinic.staff WHERE job = 'receptionist' ORDER BY id LIMIT 1));

-- step: patients
WITH
  female AS (SELECT ARRAY['Mary','Patricia','Jennifer','Linda','Elizabeth','Barbara','Susan','Jessica','Sarah','Karen',
    'Lisa','Nancy','Betty','Sandra','Margaret','Ashley','Kimberly','Emily','Donna','Michelle','Carol','Amanda','Melissa',
    'Deborah','Stephanie','Rebecca','Sharon','Laura','Cynthia','Amy','Angela','Helen','Anna','Brenda','Pamela','Emma',
    'Nicole','Samantha','Katherine','Christine','Chloé','Zoë','Ingrid','Siobhan','Aisha','Fatima','Mei','Priya','Olga',
    'Lucía','Joanna','Renée','Ngozi','Yuki','Ana','Sofía','Greta','Maëlle','Ines','Hannah'] AS n),
  male AS (SELECT ARRAY['James','Robert','John','Michael','David','William','Richard','Joseph','Thomas','Charles',
    'Christopher','Daniel','Matthew','Anthony','Mark','Donald','Steven','Paul','Andrew','Joshua','Kenneth','Kevin','Brian',
    'George','Timothy','Ronald','Edward','Jason','Jeffrey','Ryan','Jacob','Gary','Nicholas','Eric','Jonathan','Stephen',
    'Larry','Justin','Scott','Brandon','José','François','Jürgen','Seán','Mohammed','Omar','Wei','Raj','Dmitri','Luis',
    'Jon','Chidi','Kenji','Björn','Mateo','Noah','Liam','Oliver','Ethan','Lucas'] AS n),
  family AS (SELECT ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
    'Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez',
    'Thompson','White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson','Walker','Young','Allen','King','Wright',
    'Scott','Torres','Nguyen','Hill','Flores','Green','Adams','Nelson','Baker','Hall','Rivera','Campbell','Mitchell',
    'Carter','Roberts','Doe','Dowe','O''Brien','McDonald','Müller','Schröder','García','Núñez','Peña','Søndergaard',
    'Łukasiewicz','Dvořák','Kowalski','Novak','Okafor','Adeyemi','Chen','Wang','Kim','Park','Patel','Shah','Singh',
    'Khan','Ali','Ivanova','Petrov','Rossi','Bianchi','Dubois','Lefèvre','Fontaine','Murphy','Kelly','Byrne','Walsh',
    'Andersson','Johansson','Nielsen','Hansen','Yamamoto','Tanaka','Cohen','Levi','Silva','Santos','Costa','Ferreira'] AS n),
  street AS (SELECT ARRAY['Main St','High Street','Church Road','Park Avenue','Station Road','Victoria Road','Green Lane',
    'Manor Road','Oak Avenue','Mill Lane','Elm Street','Maple Drive','Cedar Close','River Walk','Queens Road',
    'King Street','Bridge Street','Hillside','Orchard Way','Meadow View'] AS n),
  city AS (SELECT ARRAY['Springfield','Riverside','Fairview','Kingsbridge','Millbrook','Ashford','Oakham','Westbury'] AS n),
  insurer AS (SELECT ARRAY['Acme Health','Blue Shield Mutual','CareFirst','National Health Plan','Harbor Insurance'] AS n),
  people AS (
    SELECT i,
           random() < 0.5 AS is_female,
           floor(random() * 1000000)::int AS r1,
           floor(random() * 1000000)::int AS r2,
           floor(random() * 1000000)::int AS r3,
           random() AS age_r,
           random() AS r4
      FROM generate_series(1, 2400) AS i
  )
INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, phone, email, address_line1, city, postcode,
                             insurer, insurance_number, emergency_contact_name, emergency_contact_phone, created_by)
SELECT fam,
       giv,
       -- Ages spread from newborns to the very old, weighted towards adults.
       (current_date - ((power(p.age_r, 0.8) * 95 * 365.25)::int + 10) * interval '1 day')::date,
       CASE WHEN p.r4 < 0.004 THEN 'intersex' WHEN p.r4 < 0.01 THEN 'unknown'
            WHEN p.is_female THEN 'female' ELSE 'male' END,
       CASE WHEN p.r4 < 0.05 THEN NULL
            ELSE '555 ' || lpad((p.r1 % 1000)::text, 3, '0') || ' ' || lpad((p.r2 % 10000)::text, 4, '0') END,
       CASE WHEN p.r3 % 10 < 7
            THEN lower(clinic.fold(replace(giv, ' ', '')) || '.' || clinic.fold(replace(replace(fam, '''', ''), ' ', '')))
                 || (p.i % 97)::text || '@' || (ARRAY['example.com','example.org','example.net','mail.test'])[1 + p.r2 % 4]
       END,
       (1 + p.r3 % 250)::text || ' ' || (SELECT n[1 + p.r1 % cardinality(n)] FROM street),
       (SELECT n[1 + p.r2 % cardinality(n)] FROM city),
       upper(substr(md5(p.i::text), 1, 2)) || (1 + p.r1 % 9)::text || ' ' || (p.r2 % 10)::text || upper(substr(md5(p.r3::text), 1, 2)),
       CASE WHEN p.r4 < 0.8 THEN (SELECT n[1 + p.r3 % cardinality(n)] FROM insurer) END,
       CASE WHEN p.r4 < 0.8 THEN upper(substr(md5(p.i::text || 'ins'), 1, 3)) || '-' || (100000 + p.r1 % 900000)::text END,
       CASE WHEN p.r3 % 3 = 0 THEN (SELECT n[1 + p.r2 % cardinality(n)] FROM female) || ' ' || fam END,
       CASE WHEN p.r3 % 3 = 0 THEN '555 ' || lpad((p.r2 % 1000)::text, 3, '0') || ' ' || lpad((p.r1 % 10000)::text, 4, '0') END,
       (SELECT id FROM clinic.staff WHERE job = 'receptionist' ORDER BY id LIMIT 1)
  FROM people p
  CROSS JOIN LATERAL (
    SELECT CASE WHEN p.is_female THEN (SELECT n[1 + p.r1 % cardinality(n)] FROM female) ELSE (SELECT n[1 + p.r1 % cardinality(n)] FROM male) END
           || CASE WHEN p.r2 % 5 = 0 THEN ' ' || CASE WHEN p.is_female THEN (SELECT n[1 + p.r3 % cardinality(n)] FROM female)
                                                    ELSE (SELECT n[1 + p.r3 % cardinality(n)] FROM male) END ELSE '' END AS giv,
           (SELECT n[1 + p.r2 % cardinality(n)] FROM family) AS fam
  ) AS names;

-- step: working hours and time off
-- Every doctor works Monday to Friday, 09:00-12:30 and 13:30-17:00, in 15-minute slots; Dr Okafor
-- also does Saturday mornings. Dr Okafor is on leave for a day next week, and Dr House has a
-- blocked afternoon (a meeting) the day after tomorrow.
INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends, slot_minutes)
SELECT d.id, w, v.starts, v.ends, 15
  FROM clinic.staff d
  CROSS JOIN generate_series(1, 5) AS w
  CROSS JOIN (VALUES (time '09:00', time '12:30'), (time '13:30', time '17:00')) AS v(starts, ends)
 WHERE d.job = 'doctor';
INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends, slot_minutes)
SELECT id, 6, time '09:00', time '12:00', 15 FROM clinic.staff WHERE login = 'okafor';
INSERT INTO clinic.schedule_exceptions (doctor_id, starts_at, ends_at, kind, note)
SELECT id, (current_date + 8 - extract(isodow FROM current_date)::int + 2)::timestamptz,
       (current_date + 8 - extract(isodow FROM current_date)::int + 3)::timestamptz, 'leave', 'Annual leave'
  FROM clinic.staff WHERE login = 'okafor';
INSERT INTO clinic.schedule_exceptions (doctor_id, starts_at, ends_at, kind, note)
SELECT id, (current_date + 2 + time '13:30')::timestamptz, (current_date + 2 + time '17:00')::timestamptz,
       'blocked', 'Practice meeting'
  FROM clinic.staff WHERE login = 'greg';

-- step: appointments (three months around today)
WITH
  -- The demo clinic is always open: outside the day's opening hours (and in the first half hour
  -- and the last hour of each block of them, the lunch break's edges included) "now" for today's
  -- queue is late morning, so patients waiting and consultations under way exist whenever the
  -- demo is opened on a working day.
  today_hours AS (
    SELECT max(ends) AS closes,
           bool_or(localtime BETWEEN starts + interval '30 minutes' AND ends - interval '1 hour') AS inside
      FROM clinic.working_hours
     WHERE weekday = extract(isodow FROM current_date)
  ),
  clock AS (
    SELECT CASE WHEN h.inside THEN now()
                ELSE (current_date + LEAST(time '11:00', h.closes - interval '1 hour'))::timestamptz END AS t
      FROM today_hours h
  ),
  doctors AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM clinic.staff WHERE job = 'doctor'),
  desk AS (SELECT id FROM clinic.staff WHERE job = 'receptionist' ORDER BY id LIMIT 1),
  days AS (
    SELECT d::date AS day FROM generate_series(current_date - 45, current_date + 45, interval '1 day') AS d
  ),
  -- Every slot of every doctor's working hours (lunch and Sundays are not in them), never in leave
  -- or blocked time.
  slots AS (
    SELECT doc.id AS doctor_id, doc.k, days.day, t.starts_at,
           random() AS fill, random() AS fate, floor(random() * 2400)::int AS who
      FROM doctors doc CROSS JOIN days
      JOIN clinic.working_hours w ON w.doctor_id = doc.id AND w.weekday = extract(isodow FROM days.day)
      CROSS JOIN LATERAL generate_series((days.day + w.starts)::timestamptz,
                                         (days.day + w.ends)::timestamptz - make_interval(mins => w.slot_minutes),
                                         make_interval(mins => w.slot_minutes)) AS t(starts_at)
     WHERE NOT EXISTS (
         SELECT FROM clinic.schedule_exceptions x
          WHERE x.doctor_id = doc.id
            AND tstzrange(x.starts_at, x.ends_at, '[)') &&
                tstzrange(t.starts_at, t.starts_at + interval '15 minutes', '[)'))
  ),
  booked AS (
    SELECT s.*, (SELECT min(id) FROM clinic.patients) + s.who AS patient_id,
           -- Each doctor's latest patient today who has come in is with them now; nobody is in a
           -- consultation that has not started.
           COALESCE(s.starts_at = max(s.starts_at) FILTER (
                      WHERE s.day = current_date AND s.starts_at <= (SELECT t FROM clock) AND s.fate >= 0.06
                    ) OVER (PARTITION BY s.doctor_id), false) AS with_doctor,
           -- and each doctor's next patient today is already in the waiting room.
           COALESCE(s.starts_at = min(s.starts_at) FILTER (
                      WHERE s.day = current_date AND s.starts_at > (SELECT t FROM clock) AND s.fate >= 0.06
                    ) OVER (PARTITION BY s.doctor_id), false) AS next_up
      FROM slots s
     WHERE s.fill < CASE WHEN s.starts_at < (SELECT t FROM clock) THEN 0.75 ELSE 0.45 - 0.004 * (s.day - current_date) END
  )
INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, cancel_reason,
                                 status_changed_at, booked_at, booked_by, status_changed_by)
SELECT b.patient_id, b.doctor_id, b.starts_at, b.starts_at + interval '15 minutes',
       -- A prenatal visit is a woman's of child-bearing age; anyone else comes for a check-up.
       CASE WHEN r.reason = 'Prenatal visit'
                 AND NOT (p.sex = 'female' AND p.date_of_birth BETWEEN current_date - interval '45 years'
                                                               AND current_date - interval '18 years')
            THEN 'Check-up' ELSE r.reason END,
       st.status,
       CASE WHEN st.status = 'cancelled' THEN (ARRAY['Patient called to cancel','Doctor unavailable','Rebooked'])[1 + floor(b.fate * 100)::int % 3] END,
       -- Those waiting arrived a few minutes ago.
       LEAST(now(), b.starts_at) - CASE WHEN st.status = 'checked_in'
                                        THEN make_interval(mins => 2 + floor(b.fill * 20)::int)
                                        ELSE interval '0' END,
       b.starts_at - (1 + floor(b.fill * 20)) * interval '1 day',
       (SELECT id FROM desk), (SELECT id FROM desk)
  FROM booked b
  JOIN clinic.patients p ON p.id = b.patient_id
  CROSS JOIN LATERAL (
    SELECT (ARRAY['Check-up','Follow-up','Blood pressure review','Vaccination','Cough and fever','Back pain',
                  'Diabetes review','Medication review','Skin rash','Headaches','Sports injury','Prenatal visit',
                  'Test results','Ear pain','Asthma review','Travel advice'])[1 + floor(b.fate * 1000)::int % 16] AS reason
  ) r
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN b.fate < 0.06 THEN 'cancelled'
      WHEN b.with_doctor THEN 'in_progress'
      WHEN b.starts_at + interval '15 minutes' < (SELECT t FROM clock) - interval '2 hours' THEN
        CASE WHEN b.fate < 0.12 THEN 'no_show' ELSE 'completed' END
      WHEN b.starts_at <= (SELECT t FROM clock) THEN
        CASE WHEN b.fate < 0.10 THEN 'no_show' ELSE 'completed' END
      WHEN b.next_up THEN 'checked_in'
      WHEN b.starts_at < (SELECT t FROM clock) + interval '1 hour' AND b.day = current_date THEN
        CASE WHEN b.fate < 0.45 THEN 'checked_in' ELSE 'scheduled' END
      ELSE 'scheduled'
    END AS status
  ) st;

-- The seed's John Doe saw Dr Alice Smith (the first doctor) last month and sees her again next
-- week: each on a weekday, in the first slot of her morning still free, inside her hours.
WITH alice AS (SELECT id FROM clinic.staff WHERE job = 'doctor' ORDER BY id LIMIT 1),
     wanted(day, r, st) AS (
       VALUES ((current_date - 30) - CASE extract(isodow FROM current_date - 30)::int WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END,
               'Annual check-up', 'completed'),
              ((current_date + 7) + CASE extract(isodow FROM current_date + 7)::int WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END,
               'Test results', 'scheduled')),
     slot AS (
       SELECT w.r, w.st,
              (SELECT t FROM generate_series((w.day + time '09:00')::timestamptz, (w.day + time '12:15')::timestamptz,
                                             interval '15 minutes') AS t
                WHERE NOT EXISTS (SELECT FROM clinic.appointments a, alice
                                   WHERE a.doctor_id = alice.id AND a.status <> 'cancelled'
                                     AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(t, t + interval '15 minutes', '[)'))
                ORDER BY t LIMIT 1) AS t
         FROM wanted w)
INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, status_changed_at)
SELECT p.id, alice.id, slot.t, slot.t + interval '15 minutes', slot.r, slot.st, LEAST(now(), slot.t)
  FROM clinic.patients p, alice, slot
 WHERE p.patient_number = 10001 AND slot.t IS NOT NULL;

-- step: medical records
-- Each completed visit has its encounter: a SOAP note, vitals, a coded diagnosis and, where the
-- reason calls for one, a prescription, written from the visit's reason; signed once the day is
-- done, except a few of the last two days' (a doctor's unsigned drafts). Each doctor's patient
-- with them now has a draft begun. Some patients have allergies.
CREATE TEMP TABLE demo_care (reason, code, subjective, objective, assessment, plan, drug, strength, form, dose, route, frequency, days, qty) AS
VALUES
  ('Annual check-up', 'Z00.00', 'Annual check-up. Feels well. Non-smoker, walks daily.', 'Well. BP normal, heart sounds normal, chest clear.', 'Healthy adult.', 'Routine bloods. Review in 12 months.', NULL, NULL, NULL, NULL, NULL, NULL, NULL::int, NULL::int),
  ('Check-up', 'Z00.00', 'Routine check-up. No complaints. Non-smoker, walks daily.', 'Well. Heart sounds normal, chest clear, abdomen soft.', 'Healthy adult.', 'Routine bloods. Review in 12 months.', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('Follow-up', 'I10', 'Follow-up of blood pressure. Taking amlodipine daily, no ankle swelling.', 'Looks well. No oedema.', 'Hypertension, controlled.', 'Continue amlodipine. Recheck in 3 months.', 'Amlodipine', '5 mg', 'tablet', '1', 'oral', 'once daily', 28, 28),
  ('Blood pressure review', 'I10', 'Home readings around 150/95. Occasional morning headaches.', 'BP raised on two readings.', 'Essential hypertension, above target.', 'Start ramipril. Bloods for renal function in 2 weeks.', 'Ramipril', '2.5 mg', 'capsule', '1', 'oral', 'once daily', 28, 28),
  ('Vaccination', 'Z23', 'Here for the seasonal influenza vaccine. No previous reactions.', 'Afebrile, well.', 'Immunization.', 'Influenza vaccine given, left deltoid. Batch recorded.', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('Cough and fever', 'J06.9', 'Three days of cough, sore throat and fever. No shortness of breath.', 'Throat red, chest clear, no lymphadenopathy.', 'Viral upper respiratory infection.', 'Fluids, rest, paracetamol. Return if breathless or not better in a week.', 'Paracetamol', '500 mg', 'tablet', '2', 'oral', '4x daily', 5, 40),
  ('Back pain', 'M54.50', 'Low back pain for a week after lifting boxes. No leg pain, no numbness.', 'Paraspinal tenderness L4-L5, straight leg raise negative.', 'Mechanical low back pain.', 'Keep moving, ibuprofen with food, physiotherapy exercises.', 'Ibuprofen', '400 mg', 'tablet', '1', 'oral', '3x daily', 7, 21),
  ('Diabetes review', 'E11.9', 'Diabetes review. Taking metformin, diet better, no hypos.', 'Feet: sensation intact, pulses present.', 'Type 2 diabetes, HbA1c improving.', 'Continue metformin. HbA1c in 3 months. Retinal screening booked.', 'Metformin', '500 mg', 'tablet', '1', 'oral', 'twice daily', 28, 56),
  ('Medication review', 'I10', 'Medication review. No side effects reported.', 'Well.', 'Hypertension, stable on treatment.', 'Repeat prescription for 3 months.', 'Amlodipine', '5 mg', 'tablet', '1', 'oral', 'once daily', 84, 84),
  ('Skin rash', 'L30.9', 'Itchy rash on both forearms for ten days. New washing powder.', 'Erythematous scaly patches on forearms, no blisters.', 'Dermatitis, probably contact.', 'Avoid the new powder, emollients, hydrocortisone cream.', 'Hydrocortisone', '1%', 'cream', 'thin layer', 'topical', 'twice daily', 7, 1),
  ('Headaches', 'G44.209', 'Band-like headaches in the afternoons, long hours at a screen.', 'Neurological examination normal. Fundi normal.', 'Tension-type headache.', 'Screen breaks, sleep, paracetamol when needed. Diary for 4 weeks.', 'Paracetamol', '500 mg', 'tablet', '2', 'oral', 'up to 4x daily as needed', 7, 32),
  ('Sports injury', 'S93.401A', 'Twisted right ankle playing football yesterday. Can bear weight.', 'Swelling over lateral ligament, no bony tenderness (Ottawa negative).', 'Right ankle sprain.', 'Rest, ice, compression, elevation. Ibuprofen. Review if not improving.', 'Ibuprofen', '400 mg', 'tablet', '1', 'oral', '3x daily', 5, 15),
  ('Prenatal visit', 'Z34.90', 'Antenatal visit. Feeling well, some nausea in the mornings.', 'Fundal height as expected.', 'Normal pregnancy.', 'Folic acid. Booking bloods and scan.', 'Folic acid', '400 mcg', 'tablet', '1', 'oral', 'once daily', 28, 28),
  ('Test results', 'E78.5', 'Came for blood results.', 'Total cholesterol 6.8 mmol/L, LDL 4.6.', 'Hyperlipidaemia.', 'Diet advice, start atorvastatin, lipids in 3 months.', 'Atorvastatin', '20 mg', 'tablet', '1', 'oral', 'once daily', 28, 28),
  ('Ear pain', 'H66.90', 'Left ear pain for two days, after a cold.', 'Left tympanic membrane red and bulging.', 'Acute otitis media.', 'Amoxicillin, analgesia. Return if not better in 3 days.', 'Amoxicillin', '500 mg', 'capsule', '1', 'oral', '3x daily', 5, 15),
  ('Asthma review', 'J45.909', 'Asthma review. Reliever twice a week, no night waking.', 'Chest clear, peak flow 90% of best.', 'Asthma, well controlled.', 'Continue inhalers. Inhaler technique checked.', 'Salbutamol', '100 mcg/dose', 'inhaler', '2 puffs', 'inhaled', 'as needed', 30, 1),
  ('Travel advice', 'Z71.84', 'Travelling to Kenya in six weeks.', 'Well.', 'Travel health counselling.', 'Hepatitis A and typhoid vaccines, malaria prophylaxis advice, insect bite avoidance.', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO clinic.medical_records (patient_id, author_id, appointment_id, kind, recorded_at, summary,
                                    subjective, objective, assessment, plan)
SELECT a.patient_id, a.doctor_id, a.id, 'consultation',
       CASE WHEN a.status = 'completed' THEN a.ends_at ELSE a.starts_at END,
       COALESCE(a.reason, 'Consultation'),
       c.subjective,
       CASE WHEN a.status = 'completed' THEN c.objective END,
       CASE WHEN a.status = 'completed' THEN c.assessment END,
       CASE WHEN a.status = 'completed' THEN c.plan END
  FROM clinic.appointments a
  JOIN demo_care c ON c.reason = a.reason
 WHERE a.status = 'in_progress'
    OR (a.status = 'completed' AND (a.id % 5 < 3 OR a.starts_at > now() - interval '7 days'
                                    OR a.patient_id = (SELECT id FROM clinic.patients WHERE patient_number = 10001)));

-- Vitals: each patient keeps a height and a weight of their own that drifts a little per visit;
-- fever with a cough, raised pressure at a pressure review.
INSERT INTO clinic.vitals (record_id, patient_id, taken_at, systolic_mmhg, diastolic_mmhg, pulse_per_min, temperature_c,
                           respiratory_per_min, spo2_pct, weight_kg, height_cm)
SELECT r.id, r.patient_id, r.recorded_at,
       (CASE WHEN r.summary IN ('Blood pressure review', 'Follow-up', 'Medication review') THEN 138 ELSE 112 END + (r.id * 7) % 24)::smallint,
       (CASE WHEN r.summary IN ('Blood pressure review', 'Follow-up', 'Medication review') THEN 86 ELSE 68 END + (r.id * 3) % 14)::smallint,
       (60 + (r.id * 11) % 32)::smallint,
       CASE WHEN r.summary = 'Cough and fever' THEN 37.8 + ((r.id % 9) / 10.0) ELSE 36.4 + ((r.id % 9) / 10.0) END,
       (12 + r.id % 6)::smallint,
       (95 + r.id % 5)::smallint,
       round(58 + (r.patient_id * 37) % 45 + ((r.id % 7) - 3) * 0.4, 1),
       155 + (r.patient_id * 13) % 36
  FROM clinic.medical_records r
 WHERE r.appointment_id IS NOT NULL AND r.summary <> 'Vaccination';

INSERT INTO clinic.diagnoses (record_id, patient_id, code, is_primary, added_at)
SELECT r.id, r.patient_id, c.code, true, r.recorded_at
  FROM clinic.medical_records r JOIN demo_care c ON c.reason = r.summary
 WHERE r.assessment IS NOT NULL;

INSERT INTO clinic.prescriptions (record_id, patient_id, drug, strength, form, dose, route, frequency, duration_days, quantity,
                                  added_at)
SELECT r.id, r.patient_id, c.drug, c.strength, c.form, c.dose, c.route, c.frequency, c.days, c.qty, r.recorded_at
  FROM clinic.medical_records r JOIN demo_care c ON c.reason = r.summary
 WHERE r.assessment IS NOT NULL AND c.drug IS NOT NULL;

-- Allergies, recorded by the doctor who first saw the patient; one entered in error and ended.
INSERT INTO clinic.allergies (patient_id, substance, reaction, severity, recorded_at, recorded_by)
SELECT f.patient_id, x.substance, x.reaction, x.severity, f.recorded_at, f.author_id
  FROM (SELECT DISTINCT ON (patient_id) patient_id, recorded_at, author_id FROM clinic.medical_records
         ORDER BY patient_id, recorded_at) f
  CROSS JOIN LATERAL (
    SELECT * FROM (VALUES ('Penicillin', 'rash', 'moderate', 0, 7), ('Latex', 'hives', 'mild', 3, 11),
                          ('Sulfonamides', 'anaphylaxis', 'severe', 5, 13), ('Peanuts', 'swelling of lips', 'severe', 2, 17))
                  AS v(substance, reaction, severity, rem, modulus)
     WHERE f.patient_id % v.modulus = v.rem) x;
UPDATE clinic.allergies SET ended_at = recorded_at + interval '1 day', ended_by = recorded_by,
                            end_reason = 'Entered in error: it was the patient''s brother'
 WHERE id = (SELECT min(id) FROM clinic.allergies WHERE substance = 'Latex');

-- Signed at the end of the visit's day, but for a few of the last two days' (still drafts).
UPDATE clinic.medical_records r
   SET signed_at = r.recorded_at + interval '20 minutes', signed_by = r.author_id
  FROM clinic.appointments a
 WHERE a.id = r.appointment_id AND a.status = 'completed'
   AND (a.starts_at < now() - interval '2 days' OR r.id % 4 <> 0);
DROP TABLE demo_care;

-- step: the earlier months' visits
-- Billing keeps about five months of books, so the months before the calendar's window have their
-- visits too, fewer the further back (the practice has been growing): mostly completed, some missed
-- or cancelled. They have no notes in the demo (a chart's history starts with the calendar's
-- window); they have invoices. John Doe (the first patient) is not among them.
SELECT setseed(0.2718);
WITH
  days AS (SELECT d::date AS day FROM generate_series(current_date - 152, current_date - 46, interval '1 day') AS d),
  slots AS (
    SELECT doc.id AS doctor_id, days.day, t.starts_at, random() AS fill, random() AS fate, floor(random() * 2400)::int AS who
      FROM clinic.staff doc CROSS JOIN days
      JOIN clinic.working_hours w ON w.doctor_id = doc.id AND w.weekday = extract(isodow FROM days.day)
      CROSS JOIN LATERAL generate_series((days.day + w.starts)::timestamptz,
                                         (days.day + w.ends)::timestamptz - make_interval(mins => w.slot_minutes),
                                         make_interval(mins => w.slot_minutes)) AS t(starts_at)
     WHERE doc.job = 'doctor'
  ),
  booked AS (
    SELECT s.*, (SELECT min(id) FROM clinic.patients) + 1 + s.who AS patient_id,
           CASE WHEN s.fate < 0.05 THEN 'cancelled' WHEN s.fate < 0.11 THEN 'no_show' ELSE 'completed' END AS status
      FROM slots s
     WHERE s.fill < 0.2 + 0.25 * (s.day - (current_date - 152)) / 106.0
  ),
  desk AS (SELECT id FROM clinic.staff WHERE job = 'receptionist' ORDER BY id LIMIT 1)
INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, cancel_reason,
                                 status_changed_at, booked_at, booked_by, status_changed_by)
SELECT b.patient_id, b.doctor_id, b.starts_at, b.starts_at + interval '15 minutes',
       CASE WHEN r.reason = 'Prenatal visit'
                 AND NOT (p.sex = 'female' AND p.date_of_birth BETWEEN b.starts_at - interval '45 years'
                                                               AND b.starts_at - interval '18 years')
            THEN 'Check-up' ELSE r.reason END,
       b.status,
       CASE WHEN b.status = 'cancelled' THEN (ARRAY['Patient called to cancel','Doctor unavailable','Rebooked'])[1 + floor(b.fate * 100)::int % 3] END,
       CASE b.status WHEN 'completed' THEN b.starts_at + interval '15 minutes'
                     WHEN 'cancelled' THEN b.starts_at - interval '1 day' ELSE b.starts_at END,
       b.starts_at - (1 + floor(b.fill * 40)) * interval '1 day',
       (SELECT id FROM desk), (SELECT id FROM desk)
  FROM booked b
  JOIN clinic.patients p ON p.id = b.patient_id
  CROSS JOIN LATERAL (
    SELECT (ARRAY['Check-up','Follow-up','Blood pressure review','Vaccination','Cough and fever','Back pain',
                  'Diabetes review','Medication review','Skin rash','Headaches','Sports injury','Prenatal visit',
                  'Test results','Ear pain','Asthma review','Travel advice'])[1 + floor(b.fate * 1000)::int % 16] AS reason
  ) r;

-- step: invoices and payments
-- The fee schedule, its prices in force since the start of last year; the consultation went up
-- on the first of this month (the old price stays for what was invoiced before).
INSERT INTO clinic.services (code, description, price_minor, currency, tax_rate, valid_from, valid_to, suggested_for)
VALUES
  ('CONS', 'Consultation', 6000, '{{currency}}', 0, date_trunc('year', current_date)::date - interval '1 year',
   date_trunc('month', current_date)::date - 1,
   '{Check-up,Follow-up,Cough and fever,Back pain,Skin rash,Headaches,Ear pain,Test results,Annual check-up}'),
  ('CONS', 'Consultation', 6500, '{{currency}}', 0, date_trunc('month', current_date)::date, NULL,
   '{Check-up,Follow-up,Cough and fever,Back pain,Skin rash,Headaches,Ear pain,Test results,Annual check-up}'),
  ('CHRONIC', 'Chronic condition review', 7500, '{{currency}}', 0,
   date_trunc('year', current_date)::date - interval '1 year', NULL,
   '{Blood pressure review,Diabetes review,Asthma review,Medication review}'),
  ('VACC', 'Vaccination, administration', 2500, '{{currency}}', 0,
   date_trunc('year', current_date)::date - interval '1 year', NULL, '{Vaccination}'),
  ('SPORT', 'Minor injury assessment', 5500, '{{currency}}', 0,
   date_trunc('year', current_date)::date - interval '1 year', NULL, '{Sports injury}'),
  ('PRENATAL', 'Antenatal visit', 7000, '{{currency}}', 0,
   date_trunc('year', current_date)::date - interval '1 year', NULL, '{Prenatal visit}'),
  ('TRAVEL', 'Travel health consultation', 4500, '{{currency}}', 20,
   date_trunc('year', current_date)::date - interval '1 year', NULL, '{Travel advice}'),
  ('ECG', 'Electrocardiogram', 4000, '{{currency}}', 0,
   date_trunc('year', current_date)::date - interval '1 year', NULL, '{}'),
  ('CERT', 'Medical certificate', 2000, '{{currency}}', 20,
   date_trunc('year', current_date)::date - interval '1 year', NULL, '{}');

-- The books of the visits before today. The accounts office (Adam) invoices each visit as it ends,
-- from the fee schedule at the day's prices (over-70s get 10% off the visit; some visits add an
-- ECG, a certificate or travel vaccines), due in 30 days. The money comes as such bills' money
-- does: at the desk on the way out (Rita, by card or cash), from the insurer weeks later (some
-- after a co-payment at the desk, some refused), by the patient's bank transfer, part of it, or not
-- at all; nothing arrives after now. Today's visits wait for the day's invoicing (Billing, `d`);
-- a few of the last days' are drafts still. Each visit's fate is a hash of its id, so every demo
-- has the same books.
CREATE TEMP TABLE demo_bill AS
SELECT a.id AS appointment_id, a.patient_id, a.reason, a.ends_at, a.starts_at::date AS day,
       p.insurer,
       p.date_of_birth <= a.starts_at - interval '70 years' AS senior,
       h.r1, h.r2, h.r3,
       CASE
         WHEN a.starts_at >= (current_date - 5)::timestamptz AND h.r3 < 0.03 THEN 'draft'
         WHEN p.insurer IS NOT NULL THEN
           CASE WHEN h.r1 < 0.40 THEN 'insurer' WHEN h.r1 < 0.58 THEN 'copay' WHEN h.r1 < 0.61 THEN 'copay_refused'
                WHEN h.r1 < 0.85 THEN 'desk' WHEN h.r1 < 0.93 THEN 'bank' WHEN h.r1 < 0.96 THEN 'part' ELSE 'unpaid' END
         ELSE
           CASE WHEN h.r1 < 0.68 THEN 'desk' WHEN h.r1 < 0.89 THEN 'bank' WHEN h.r1 < 0.94 THEN 'part' ELSE 'unpaid' END
       END AS plan,
       -- Issued a few minutes after the visit ends.
       a.ends_at + make_interval(mins => 2 + floor(h.r2 * 9)::int) AS issued_at,
       NULL::bigint AS invoice_id,
       NULL::bigint AS voided_id,
       NULL::text AS extra
  FROM clinic.appointments a
  JOIN clinic.patients p ON p.id = a.patient_id
  CROSS JOIN LATERAL (
    SELECT (hashint8extended(a.id, 1) & 1048575) / 1048576.0 AS r1,
           (hashint8extended(a.id, 2) & 1048575) / 1048576.0 AS r2,
           (hashint8extended(a.id, 3) & 1048575) / 1048576.0 AS r3
  ) h
 WHERE a.status = 'completed' AND a.starts_at < current_date::timestamptz;

-- Five invoices went out with a line too many and were voided and issued again the next working
-- morning without it; their money came later (the insurer's or a transfer), to the new one.
UPDATE demo_bill b SET extra = 'void'
 WHERE b.appointment_id IN (
   SELECT appointment_id FROM demo_bill
    WHERE plan IN ('insurer', 'bank') AND day BETWEEN current_date - 140 AND current_date - 10
      AND reason NOT IN ('Blood pressure review', 'Back pain', 'Cough and fever', 'Sports injury')
    ORDER BY r3 LIMIT 5);

WITH made AS (
  INSERT INTO clinic.invoices (patient_id, appointment_id, currency, created_at, created_by)
  SELECT b.patient_id, b.appointment_id, '{{currency}}', b.ends_at + interval '1 minute',
         (SELECT id FROM clinic.staff WHERE job = 'accountant' ORDER BY id LIMIT 1)
    FROM demo_bill b ORDER BY b.ends_at, b.appointment_id
  RETURNING id, appointment_id)
UPDATE demo_bill b SET invoice_id = made.id FROM made WHERE made.appointment_id = b.appointment_id;

-- The visit at its day's price; then what some visits add; then the voided ones' line too many.
INSERT INTO clinic.invoice_lines (invoice_id, service_id, description, quantity, unit_price_minor, discount_minor, tax_rate)
SELECT b.invoice_id, s.id, s.description, 1, s.price_minor, CASE WHEN b.senior THEN s.price_minor / 10 ELSE 0 END, s.tax_rate
  FROM demo_bill b
  JOIN clinic.services s ON b.reason = ANY (s.suggested_for) AND s.currency = '{{currency}}'
                        AND daterange(s.valid_from, s.valid_to, '[]') @> b.day
 ORDER BY b.invoice_id;
INSERT INTO clinic.invoice_lines (invoice_id, service_id, description, quantity, unit_price_minor, tax_rate)
SELECT b.invoice_id, s.id, s.description, x.quantity, s.price_minor, s.tax_rate
  FROM demo_bill b
  CROSS JOIN LATERAL (
    SELECT 'ECG' AS code, 1 AS quantity WHERE b.reason = 'Blood pressure review' AND b.r2 < 0.35
    UNION ALL
    SELECT 'CERT', 1 WHERE b.reason IN ('Back pain', 'Cough and fever', 'Sports injury') AND b.r2 >= 0.6
    UNION ALL
    SELECT 'VACC', 2 WHERE b.reason = 'Travel advice' AND b.r2 < 0.7
  ) x
  JOIN clinic.services s ON s.code = x.code AND s.currency = '{{currency}}'
                        AND daterange(s.valid_from, s.valid_to, '[]') @> b.day
 ORDER BY b.invoice_id;
INSERT INTO clinic.invoice_lines (invoice_id, service_id, description, quantity, unit_price_minor, tax_rate)
SELECT b.invoice_id, s.id, s.description, 1, s.price_minor, s.tax_rate
  FROM demo_bill b
  JOIN clinic.services s ON s.code = CASE WHEN b.r2 < 0.5 THEN 'ECG' ELSE 'CERT' END AND s.currency = '{{currency}}'
                        AND daterange(s.valid_from, s.valid_to, '[]') @> b.day
 WHERE b.extra = 'void';

UPDATE clinic.invoices i
   SET status = 'issued', issued_at = b.issued_at, due_on = b.issued_at::date + 30
  FROM demo_bill b
 WHERE i.id = b.invoice_id AND b.plan <> 'draft';

UPDATE clinic.invoices i
   SET status = 'void',
       void_reason = CASE WHEN l.description = 'Electrocardiogram' THEN 'ECG charged but not done; issued again without it'
                          ELSE 'Medical certificate charged but not asked for; issued again without it' END
  FROM demo_bill b, LATERAL (SELECT description FROM clinic.invoice_lines WHERE invoice_id = b.invoice_id
                              ORDER BY id DESC LIMIT 1) l
 WHERE i.id = b.invoice_id AND b.extra = 'void';
UPDATE demo_bill b
   SET voided_id = b.invoice_id,
       issued_at = (b.day + CASE extract(isodow FROM b.day)::int WHEN 5 THEN 3 WHEN 6 THEN 2 ELSE 1 END
                    + time '09:40')::timestamptz + make_interval(mins => floor(b.r1 * 50)::int)
 WHERE b.extra = 'void';
WITH made AS (
  INSERT INTO clinic.invoices (patient_id, appointment_id, currency, created_at, created_by)
  SELECT b.patient_id, b.appointment_id, '{{currency}}', b.issued_at - interval '3 minutes',
         (SELECT id FROM clinic.staff WHERE job = 'accountant' ORDER BY id LIMIT 1)
    FROM demo_bill b WHERE b.extra = 'void' ORDER BY b.issued_at
  RETURNING id, appointment_id)
UPDATE demo_bill b SET invoice_id = made.id FROM made WHERE made.appointment_id = b.appointment_id;
INSERT INTO clinic.invoice_lines (invoice_id, service_id, description, quantity, unit_price_minor, discount_minor, tax_rate)
SELECT b.invoice_id, l.service_id, l.description, l.quantity, l.unit_price_minor, l.discount_minor, l.tax_rate
  FROM demo_bill b JOIN clinic.invoice_lines l ON l.invoice_id = b.voided_id
 WHERE b.extra = 'void'
   AND l.id < (SELECT max(id) FROM clinic.invoice_lines WHERE invoice_id = b.voided_id)
 ORDER BY l.id;
UPDATE clinic.invoices i
   SET status = 'issued', issued_at = b.issued_at, due_on = b.issued_at::date + 30
  FROM demo_bill b
 WHERE i.id = b.invoice_id AND b.extra = 'void';

-- At the desk, minutes after the visit: the whole bill, the co-payment (a fifth, in whole units)
-- or part of it (half).
INSERT INTO clinic.payments (invoice_id, amount_minor, method, reference, received_at, received_by, idempotency_key)
SELECT i.id,
       CASE b.plan WHEN 'desk' THEN i.total_minor
                   WHEN 'part' THEN GREATEST(i.total_minor / 200 * 100, 100)
                   ELSE GREATEST(i.total_minor / 500 * 100, 100) END,
       CASE WHEN b.r2 < 0.62 THEN 'card' ELSE 'cash' END,
       CASE WHEN b.r2 < 0.62 THEN 'POS ' || lpad(((b.appointment_id * 7919) % 1000000)::text, 6, '0') END,
       b.issued_at + make_interval(mins => 1 + floor(b.r3 * 6)::int),
       (SELECT id FROM clinic.staff WHERE job = 'receptionist' ORDER BY id LIMIT 1),
       md5('demo-payment-desk-' || i.id)::uuid
  FROM demo_bill b JOIN clinic.invoices i ON i.id = b.invoice_id
 WHERE b.plan IN ('desk', 'copay', 'copay_refused', 'part') AND i.total_minor > 0
 ORDER BY b.issued_at;

-- Three credit notes, a week or two after the invoice: a free follow-up charged in error (it had
-- been paid, so the patient has it as credit), a certificate never issued (that line only), and a
-- visit under the staff health scheme (it had not been paid).
CREATE TEMP TABLE demo_credit AS
SELECT c.invoice_id, c.reason, c.only_code,
       (b.issued_at::date + 8 + floor(b.r2 * 10)::int + time '11:15')::timestamptz AS at,
       NULL::bigint AS note_id
  FROM (
    (SELECT invoice_id, 'A follow-up within two weeks is free: charged in error' AS reason, NULL AS only_code
       FROM demo_bill WHERE plan = 'desk' AND reason = 'Follow-up' AND day BETWEEN current_date - 100 AND current_date - 30
      ORDER BY r3 LIMIT 1)
    UNION ALL
    (SELECT b.invoice_id, 'Medical certificate charged but never issued', 'CERT'
       FROM demo_bill b JOIN clinic.invoice_lines l ON l.invoice_id = b.invoice_id AND l.description = 'Medical certificate'
      WHERE b.plan IN ('part', 'copay_refused', 'unpaid') AND b.day BETWEEN current_date - 120 AND current_date - 30
      ORDER BY b.plan = 'unpaid', b.r3 LIMIT 1)
    UNION ALL
    (SELECT invoice_id, 'Not chargeable: seen under the practice''s staff health scheme', NULL
       FROM demo_bill WHERE plan = 'unpaid' AND reason NOT IN ('Back pain', 'Cough and fever', 'Sports injury')
        AND day BETWEEN current_date - 120 AND current_date - 30
      ORDER BY r3 LIMIT 1)
  ) c JOIN demo_bill b ON b.invoice_id = c.invoice_id;
UPDATE demo_credit SET at = at + CASE extract(isodow FROM at)::int WHEN 6 THEN interval '2 days' WHEN 7 THEN interval '1 day'
                                                                   ELSE interval '0' END;
UPDATE demo_credit SET note_id = clinic.credit_note(invoice_id, reason);
DELETE FROM clinic.invoice_lines l
 USING demo_credit c
 WHERE l.invoice_id = c.note_id AND c.only_code IS NOT NULL
   AND l.service_id NOT IN (SELECT id FROM clinic.services WHERE code = c.only_code);
UPDATE clinic.invoices i
   SET status = 'issued', issued_at = c.at, created_at = c.at - interval '4 minutes',
       created_by = (SELECT id FROM clinic.staff WHERE job = 'accountant' ORDER BY id LIMIT 1)
  FROM demo_credit c
 WHERE i.id = c.note_id;

-- Everything that was issued gets its number, in the order it was issued.
SELECT clinic.number_invoices();

-- The accounts office books what came later, on working days: the insurers' remittances two to
-- seven weeks on (what the desk had not taken), the patients' transfers within three weeks, quoting
-- the invoice's number. Two transfers were rounded up and one insurer paid a bill the patient had
-- paid at the desk: what is over is the patient's credit.
UPDATE demo_bill b SET extra = 'rounded_up'
 WHERE b.appointment_id IN (
   SELECT appointment_id FROM demo_bill
    WHERE plan = 'bank' AND extra IS NULL AND day BETWEEN current_date - 80 AND current_date - 30
    ORDER BY r3 LIMIT 2);
UPDATE demo_bill b SET extra = 'insurer_too'
 WHERE b.appointment_id = (
   SELECT appointment_id FROM demo_bill
    WHERE plan = 'desk' AND insurer IS NOT NULL AND extra IS NULL
      AND day BETWEEN current_date - 90 AND current_date - 50
      AND invoice_id NOT IN (SELECT invoice_id FROM demo_credit)
    ORDER BY r3 LIMIT 1);
INSERT INTO clinic.payments (invoice_id, amount_minor, method, reference, received_at, received_by, idempotency_key)
SELECT i.id,
       CASE WHEN b.extra = 'rounded_up' THEN (i.total_minor - i.paid_minor - i.credited_minor) / 5000 * 5000 + 5000
            WHEN b.extra = 'insurer_too' THEN i.total_minor
            ELSE i.total_minor - i.paid_minor - i.credited_minor END,
       CASE WHEN b.plan = 'bank' THEN 'bank_transfer' ELSE 'insurance' END,
       CASE WHEN b.plan = 'bank' THEN i.invoice_number
            ELSE b.insurer || ' remittance ' || to_char(t.at, 'YYYYMMDD') END,
       t.at,
       (SELECT id FROM clinic.staff WHERE job = 'accountant' ORDER BY id LIMIT 1),
       md5('demo-payment-office-' || i.id)::uuid
  FROM demo_bill b
  JOIN clinic.invoices i ON i.id = b.invoice_id
  CROSS JOIN LATERAL (
    SELECT b.issued_at::date
           + CASE WHEN b.plan = 'bank' THEN 2 + floor(b.r2 * 20)::int ELSE 14 + floor(b.r2 * 35)::int END AS day
  ) d
  CROSS JOIN LATERAL (
    SELECT (d.day + CASE extract(isodow FROM d.day)::int WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END + time '09:20')::timestamptz
           + make_interval(mins => floor(b.r3 * 400)::int) AS at
  ) t
 WHERE (b.plan IN ('insurer', 'copay', 'bank') OR b.extra = 'insurer_too')
   AND (i.total_minor - i.paid_minor - i.credited_minor > 0 OR b.extra = 'insurer_too')
   AND t.at < now()
 ORDER BY t.at;
DROP TABLE demo_credit;
DROP TABLE demo_bill;

-- step: emergency accesses to review
-- Three break-the-glass accesses of the past week by doctors outside their care: two wait for an
-- administrator's review (the Admin screen counts them), one was reviewed with a note.
WITH outside AS (
  SELECT d.id AS doctor_id, d.full_name, p.id AS patient_id, n
    FROM (VALUES ('okafor', 1), ('greg', 2), ('alice', 3)) AS w (login, n)
    JOIN clinic.staff d ON d.login = w.login
    CROSS JOIN LATERAL (
      SELECT p.id FROM clinic.patients p
       WHERE NOT EXISTS (SELECT FROM clinic.appointments a WHERE a.patient_id = p.id AND a.doctor_id = d.id)
       ORDER BY p.id OFFSET 40 * w.n LIMIT 1
    ) p
), granted AS (
  INSERT INTO clinic.emergency_access (doctor_id, patient_id, reason, granted_at, expires_at)
  SELECT doctor_id, patient_id,
         CASE n WHEN 1 THEN 'Collapsed in the waiting room, own doctor away today'
                WHEN 2 THEN 'Called from the ER about allergies before surgery'
                ELSE 'Covering a colleague''s urgent lab result call' END,
         now() - make_interval(days => 5 - n, hours => n),
         now() - make_interval(days => 5 - n, hours => n) + interval '60 minutes'
    FROM outside
  RETURNING id, doctor_id, patient_id, granted_at
)
SELECT clinic.audit('break_glass', 'patients', g.patient_id, g.patient_id,
                    jsonb_build_object('minutes', 60), true)
  FROM granted g;
INSERT INTO clinic.emergency_access_reviews (access_id, reviewed_by, reviewed_at, note)
SELECT e.id, (SELECT id FROM clinic.staff WHERE login = 'ada'), e.granted_at + interval '1 day',
       'Checked with the lab: a genuine urgent call'
  FROM clinic.emergency_access e
 WHERE e.reason LIKE 'Covering a colleague%';

-- step: the desk's history
-- Patients joined over the last six years, more of them lately (the practice has been growing),
-- each before their first booking; written as registered then, without a second audit entry for
-- what is the seed's own bookkeeping. The visits the doctors saw had their check-in (up to ten
-- minutes early) and their start (most within a few minutes, some after a long wait) in the
-- appointment's history, as the desk and the doctor would have moved them.
ALTER TABLE clinic.patients DISABLE TRIGGER patients_audit;
UPDATE clinic.patients p
   SET created_at = LEAST(
         now() - power((abs(hashint4(p.id::int)) % 10000) / 10000.0, 1.7) * interval '6 years',
         COALESCE((SELECT min(LEAST(a.booked_at, a.starts_at)) FROM clinic.appointments a WHERE a.patient_id = p.id),
                  now()) - interval '1 hour');
ALTER TABLE clinic.patients ENABLE TRIGGER patients_audit;

WITH seen AS (
  SELECT a.id, a.starts_at,
         a.starts_at - make_interval(mins => abs(hashint4(a.id::int)) % 11) AS arrived,
         power((abs(hashint4(a.id::int + 7)) % 1000) / 1000.0, 3) * 40 AS wait
    FROM clinic.appointments a
   WHERE a.status IN ('in_progress', 'completed') AND a.starts_at <= now()
), moves AS (
  SELECT s.id, 'scheduled' AS from_status, 'checked_in' AS to_status, LEAST(s.arrived, now()) AS at, d.id AS by_id
    FROM seen s, (SELECT id FROM clinic.staff WHERE job = 'receptionist' ORDER BY id LIMIT 1) d
  UNION ALL
  SELECT s.id, 'checked_in', 'in_progress',
         GREATEST(LEAST(s.starts_at + s.wait * interval '1 minute', now()), LEAST(s.arrived, now())), a.doctor_id
    FROM seen s JOIN clinic.appointments a ON a.id = s.id
)
INSERT INTO clinic.appointment_status_history (appointment_id, from_status, to_status, changed_at, changed_by)
SELECT id, from_status, to_status, at, by_id FROM moves;

-- step: statistics
ANALYZE;
